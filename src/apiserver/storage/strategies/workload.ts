/**
 * apps workloads (Deployment, ReplicaSet): a write through /status may not change labels
 * (deploymentStatusStrategy / replicaSetStatusStrategy keep the stored ones). Their pod templates
 * get upstream's pod template warnings and PodSecurity warnings (never refusals), as upstream.
 */
import type { Strategy } from './types.js';
import { cloneJson } from '../../../api/json-clone.js';
import { admitPodTemplate } from '../../admission/pod-security/storage-hooks.js';
import { podSpecWarnings } from '../../../api/kinds/core/pod-warnings.js';

export const workloadStrategy: Strategy = {
  async validateAdmission(obj, old, ctx, env, subresource) {
    // GetWarningsForPodTemplate at the template's path, as each workload's WarningsOnCreate/Update.
    const jobTemplate = obj.spec?.jobTemplate?.spec?.template as { metadata?: unknown; spec?: unknown } | undefined;
    const template = jobTemplate ?? (obj.spec?.template as { metadata?: unknown; spec?: unknown } | undefined);
    if (template) ctx.warnings.push(...podSpecWarnings(template.metadata, template.spec, jobTemplate ? 'spec.jobTemplate.spec.template' : 'spec.template'));
    await admitPodTemplate(obj, old, ctx, env, subresource);
  },
  prepareForStatusUpdate(obj, old) {
    if (old.metadata.labels === undefined) delete obj.metadata.labels;
    else obj.metadata.labels = cloneJson(old.metadata.labels);
  },
};
