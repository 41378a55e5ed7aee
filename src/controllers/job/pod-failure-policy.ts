/**
 * spec.podFailurePolicy evaluation (upstream pkg/controller/job/pod_failure_policy.go
 * matchPodFailurePolicy): rules in order, the first whose exit-code requirement (non-zero exit codes
 * of app then init containers, optionally one container) or pod-condition pattern matches decides.
 */
import type { JobSpec, PodFailurePolicyRule } from './job-types.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import type { ContainerStatus } from '../../api/kinds/core/pod-status.js';
import { podStatus } from './job-pods.js';

export type FailureAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';

export interface FailureMatch {
  action: FailureAction;
  /** Set for FailJob (the Job condition's message) and FailIndex. */
  message?: string;
}

/** The matching rule's action, or undefined (default handling: the failure counts). */
export function matchPodFailurePolicy(spec: Readonly<JobSpec>, pod: Readonly<Pod>): FailureMatch | undefined {
  const rules = spec.podFailurePolicy?.rules ?? [];
  const podName = `${pod.metadata.namespace}/${pod.metadata.name}`;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    const action = rule.action as FailureAction;
    if (!['FailJob', 'FailIndex', 'Ignore', 'Count'].includes(action)) continue;
    if (rule.onExitCodes) {
      const c = matchingContainer(pod, rule);
      if (c) return { action, message: `Container ${c.name} for pod ${podName} failed with exit code ${c.state!.terminated!.exitCode} matching ${action} rule at index ${i}` };
    } else if (rule.onPodConditions) {
      for (const pattern of rule.onPodConditions) {
        const hit = (podStatus(pod).conditions ?? []).find((c) => c.type === pattern.type && c.status === (pattern.status ?? 'True'));
        if (hit) return { action, message: `Pod ${podName} has condition ${hit.type} matching ${action} rule at index ${i}` };
      }
    }
  }
  return undefined;
}

function matchingContainer(pod: Readonly<Pod>, rule: Readonly<PodFailurePolicyRule>): ContainerStatus | undefined {
  const s = podStatus(pod);
  return matchIn(s.containerStatuses, rule) ?? matchIn(s.initContainerStatuses, rule);
}

function matchIn(statuses: ContainerStatus[] | undefined, rule: Readonly<PodFailurePolicyRule>): ContainerStatus | undefined {
  const req = rule.onExitCodes!;
  for (const cs of statuses ?? []) {
    if (req.containerName !== undefined && req.containerName !== cs.name) continue;
    const code = cs.state?.terminated?.exitCode;
    // Containers that exited 0 are excluded from the check.
    if (code === undefined || code === 0) continue;
    const inSet = req.values.includes(code);
    if ((req.operator === 'In' && inSet) || (req.operator === 'NotIn' && !inSet)) return cs;
  }
  return undefined;
}
