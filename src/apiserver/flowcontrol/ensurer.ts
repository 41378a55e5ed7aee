/**
 * Keeps API Priority and Fairness' bootstrap configuration in the store at server start, as
 * kube-apiserver's ensurer (pkg/registry/flowcontrol/ensurer): the mandatory objects (exempt,
 * catch-all) are created when missing and their spec restored when changed (the exempt level's
 * `spec.exempt` is the administrator's); the suggested ones are created when missing, then left
 * alone unless annotated apf.kubernetes.io/autoupdate-spec: "true" (an object without the
 * annotation gets "true" at generation 1, "false" after the user changed it). Deleted suggested
 * objects are recreated on the next start, as upstream.
 */
import { cloneJson } from '../../api/json-clone.js';
import { AUTO_UPDATE_ANNOTATION, MANDATORY_FLOW_SCHEMAS, MANDATORY_PRIORITY_LEVELS, SUGGESTED_FLOW_SCHEMAS, SUGGESTED_PRIORITY_LEVELS } from '../../api/kinds/flowcontrol/bootstrap-configuration.js';
import type { KubeObject } from '../../api/meta.js';
import { deepEqual } from '../../api/schema/equal.js';
import { isStatusError } from '../storage/errors.js';
import type { RequestContext, ResourceStorage } from '../storage/types.js';

const context = (): RequestContext => ({ user: 'system:apiserver', groups: ['system:masters'], dryRun: false, fieldValidation: 'Strict', fieldManager: 'api-priority-and-fairness-config-producer-v1', warnings: [] });

type WithSpec = KubeObject & { spec?: Record<string, unknown> };

/** The spec the server insists on: the bootstrap one, keeping the exempt level's own `exempt` (upstream lets it be tuned). */
function wantedSpec(live: WithSpec, want: WithSpec): Record<string, unknown> {
  const spec = cloneJson(want.spec ?? {});
  if (live.kind === 'PriorityLevelConfiguration' && live.metadata.name === 'exempt' && live.spec?.exempt) spec.exempt = live.spec.exempt;
  return spec;
}

async function ensureOne(storage: ResourceStorage, want: WithSpec, mandatory: boolean): Promise<void> {
  const ctx = context();
  const name = want.metadata.name!;
  let live: WithSpec;
  try {
    live = await storage.get(ctx, undefined, name) as WithSpec;
  } catch (err) {
    if (!isStatusError(err, 404)) throw err;
    const obj = cloneJson(want);
    obj.metadata = { ...obj.metadata, annotations: { [AUTO_UPDATE_ANNOTATION]: 'true' } };
    try { await storage.create(ctx, undefined, obj); } catch (e) { if (!isStatusError(e, 409)) throw e; }
    return;
  }
  const annotations = { ...live.metadata.annotations };
  let autoUpdate = annotations[AUTO_UPDATE_ANNOTATION];
  if (mandatory) autoUpdate = 'true';
  else if (autoUpdate === undefined) autoUpdate = live.metadata.generation === 1 ? 'true' : 'false';
  const spec = autoUpdate === 'true' ? wantedSpec(live, want) : live.spec;
  if (annotations[AUTO_UPDATE_ANNOTATION] === autoUpdate && deepEqual(spec, live.spec)) return;
  annotations[AUTO_UPDATE_ANNOTATION] = autoUpdate;
  try {
    await storage.update(ctx, undefined, name, { ...live, metadata: { ...live.metadata, annotations }, spec });
  } catch (err) {
    if (!isStatusError(err, 409)) throw err; // someone else wrote it: the next start looks again
  }
}

/** Priority levels first, so that no FlowSchema is created dangling. */
export async function ensureFlowcontrolBootstrap(levels: ResourceStorage, schemas: ResourceStorage): Promise<void> {
  for (const pl of MANDATORY_PRIORITY_LEVELS) await ensureOne(levels, pl, true);
  for (const pl of SUGGESTED_PRIORITY_LEVELS) await ensureOne(levels, pl, false);
  for (const fs of MANDATORY_FLOW_SCHEMAS) await ensureOne(schemas, fs, true);
  for (const fs of SUGGESTED_FLOW_SCHEMAS) await ensureOne(schemas, fs, false);
}
