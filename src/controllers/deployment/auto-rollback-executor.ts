/**
 * Writing an auto-rollback decision (auto-rollback.ts): the Deployment's spec and annotations with a
 * PUT, as `kubectl rollout undo` does, then the RolledBack condition on the status subresource of
 * what the PUT returned (so the two writes do not conflict), then the Warning event. A conflict on
 * the PUT fails the reconcile and the controller retries on fresh state.
 */
import type { KubeClient } from '../../client/kube-client.js';
import type { EventRecorder } from '../../controller-runtime/events/recorder.js';
import type { RollbackDecision } from './auto-rollback.js';
import type { Deployment } from './types.js';

export async function executeAutoRollback(decision: Exclude<RollbackDecision, { kind: 'none' }>, client: KubeClient, recorder: EventRecorder): Promise<void> {
  const ns = decision.deployment.metadata.namespace!;
  const deployments = client.deployments<Deployment>(ns);
  const written = await deployments.update(decision.deployment);
  if (decision.kind === 'skip') {
    recorder.event(written, 'Warning', 'AutoRollbackSkipped', decision.message);
    return;
  }
  // Replaced outright (not setCondition): a later rollback for the same reason still shows its message.
  written.status = { ...written.status, conditions: [...(written.status?.conditions ?? []).filter((c) => c.type !== decision.condition.type), decision.condition] };
  await deployments.updateStatus(written);
  recorder.event(written, 'Warning', 'AutoRollback', decision.message);
}
