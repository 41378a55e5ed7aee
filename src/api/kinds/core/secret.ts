/** core/v1 Secret: type defaults to Opaque; type is immutable; typed secrets need their keys. */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import { fe } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { col } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { validateDataKeys, validateImmutableData } from './config-map.js';

export const secretSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  immutable: s.bool('Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified). If not set to true, the field can be modified at any time. Defaulted to nil.'),
  data: s.map(s.bytes(), "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4"),
  stringData: s.stringMap('stringData allows specifying non-binary secret data in string form. It is provided as a write-only input field for convenience. All keys and values are merged into the data field on write, overwriting any existing values. The stringData field is never output when reading from the API.'),
  type: s.string({ description: 'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types', default: 'Opaque' }),
}, { name: 'io.k8s.api.core.v1.Secret', gvk: gvk('', 'v1', 'Secret'), description: 'Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.' });

export type Secret = Infer<typeof secretSchema> & { metadata: ObjectMeta };

/** Keys each well-known secret type must carry (ValidateSecret). */
/** core.MaxSecretSize: 1 MiB of decoded data. */
const MAX_SECRET_SIZE = 1024 * 1024;

const REQUIRED_KEYS: Record<string, string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

/** stringData merges into data (base64) on write and is never stored, as the Secret strategy does. */
function defaultSecret(secret: Secret): void {
  if (secret.stringData) {
    secret.data ??= {};
    for (const [k, v] of Object.entries(secret.stringData)) secret.data[k] = Buffer.from(v, 'utf8').toString('base64');
    delete secret.stringData;
  }
}

function validateSecret(secret: Secret): FieldError[] {
  const errs = validateDataKeys(Object.keys(secret.data ?? {}), 'data');
  for (const [k, v] of Object.entries(secret.data ?? {})) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v)) errs.push(fe.invalid(`data[${k}]`, '<secret contents redacted>', 'illegal base64 data'));
  }
  // Upstream: field.TooLong(dataPath, "", core.MaxSecretSize) over the decoded bytes.
  const total = Object.values(secret.data ?? {}).reduce((n, v) => n + (typeof v === 'string' ? Buffer.byteLength(v, 'base64') : 0), 0);
  if (total > MAX_SECRET_SIZE) errs.push(fe.tooLong('data', MAX_SECRET_SIZE));
  for (const key of REQUIRED_KEYS[secret.type ?? ''] ?? []) {
    if (!(key in (secret.data ?? {}))) errs.push(fe.required(`data[${key}]`));
  }
  if (secret.type === 'kubernetes.io/service-account-token' && !secret.metadata.annotations?.['kubernetes.io/service-account.name']) {
    errs.push(fe.required('metadata.annotations[kubernetes.io/service-account.name]'));
  }
  return errs;
}

export const secrets = defineKind<Secret>({
  group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true,
  schema: secretSchema, nameValidator: nameIsDNSSubdomain,
  defaults: defaultSecret,
  validate: validateSecret,
  validateUpdate: (secret, old) => [
    ...(secret.type !== old.type ? [fe.invalid('type', secret.type ?? '', 'field is immutable')] : []),
    ...validateImmutableData(secret, old, ['data']),
  ],
  selectableFields: (secret) => ({ type: secret.type ?? '' }),
  columns: [col('Type', 'string', 'The type of the secret'), col('Data', 'string', 'The number of entries in the secret')],
  cells: (secret) => [secret.type ?? '', Object.keys(secret.data ?? {}).length],
  protobufMessage: 'k8s.io.api.core.v1.Secret',
});
