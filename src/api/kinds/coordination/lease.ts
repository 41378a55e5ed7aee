/** coordination.k8s.io/v1 Lease (leader election, node heartbeats). */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import { fe } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { col } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';

export const leaseSpecSchema = s.object({
  holderIdentity: s.string('holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.'),
  leaseDurationSeconds: s.int('leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it. This is measured against the time of last observed renewTime.'),
  acquireTime: s.time('acquireTime is a time when the current lease was acquired.'),
  renewTime: s.time('renewTime is a time when the current holder of a lease has last updated the lease.'),
  leaseTransitions: s.int('leaseTransitions is the number of transitions of a lease between holders.'),
  strategy: s.string('Strategy indicates the strategy for picking the leader for coordinated leader election. If the field is not specified, there is no active coordination for this lease. (Alpha) Using this field requires the CoordinatedLeaderElection feature gate to be enabled.'),
  preferredHolder: s.string('PreferredHolder signals to a lease holder that the lease has a more optimal holder and should be given up. This field can only be set if Strategy is also set.'),
}, { name: 'io.k8s.api.coordination.v1.LeaseSpec', description: 'LeaseSpec is a specification of a Lease.' });

export const leaseSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: { ...leaseSpecSchema, description: 'spec contains the specification of the Lease. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status' },
}, { name: 'io.k8s.api.coordination.v1.Lease', gvk: gvk('coordination.k8s.io', 'v1', 'Lease'), description: 'Lease defines a lease concept.' });

export type Lease = Infer<typeof leaseSchema> & { metadata: ObjectMeta };
export type LeaseSpec = Infer<typeof leaseSpecSchema>;

function validateLease(lease: Lease): FieldError[] {
  const errs: FieldError[] = [];
  const spec = lease.spec ?? {};
  if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds <= 0) errs.push(fe.invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  if (spec.leaseTransitions !== undefined && spec.leaseTransitions < 0) errs.push(fe.invalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'));
  if (spec.preferredHolder && !spec.strategy) errs.push(fe.forbidden('spec.preferredHolder', 'preferredHolder is only allowed if strategy is set'));
  return errs;
}

export const leases = defineKind<Lease>({
  group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true,
  schema: leaseSchema, nameValidator: nameIsDNSSubdomain,
  validate: validateLease,
  columns: [col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.')],
  cells: (lease) => [lease.spec?.holderIdentity ?? ''],
});
