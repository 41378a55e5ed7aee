/**
 * `kubectl get pods` rows, ported from printPod in pkg/printers/internalversion/printers.go:
 * READY counts, the STATUS reason logic (Init:0/1, CrashLoopBackOff, Completed, Terminating, ...)
 * and RESTARTS with the age of the last restart.
 */
import type { TableColumn } from '../../resource.js';
import { age } from '../../table/age.js';
import { col, NONE } from '../../table/columns.js';
import type { Container } from './container.js';
import type { Pod } from './pod.js';
import type { ContainerStatus, PodStatus } from './pod-status.js';

export const podColumns: TableColumn[] = [
  col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
  col('Status', 'string', 'The aggregate status of the containers in this pod.'),
  col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
  col('IP', 'string', 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', true),
  col('Node', 'string', 'NodeName is a request to schedule this pod onto a specific node.', true),
  col('Nominated Node', 'string', 'nominatedNodeName is set when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.', true),
  col('Readiness Gates', 'string', 'If specified, all readiness gates will be evaluated for pod readiness.', true),
];

function isRestartableInit(c: Container | undefined): boolean {
  return c?.restartPolicy === 'Always';
}

function later(a: string, b: string | undefined): string {
  return b && (!a || Date.parse(b) > Date.parse(a)) ? b : a;
}

/** The READY, STATUS and RESTARTS cells and the restart count, as printPod computes them. */
export function podStatusCells(pod: Pod, now: Date): { ready: string; reason: string; restarts: string } {
  const spec = pod.spec ?? ({ containers: [] } as unknown as NonNullable<Pod['spec']>);
  const status: PodStatus = pod.status ?? {};
  let restarts = 0;
  let restartableInitRestarts = 0;
  let totalContainers = (spec.containers ?? []).length;
  let readyContainers = 0;
  let lastRestartDate = '';
  let lastRestartableInitDate = '';

  let reason: string = status.reason || status.phase || '';
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initContainers = new Map<string, Container>();
  for (const c of spec.initContainers ?? []) {
    initContainers.set(c.name, c);
    if (isRestartableInit(c)) totalContainers++;
  }

  let initializing = false;
  const initStatuses: ContainerStatus[] = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i]!;
    restarts += cs.restartCount ?? 0;
    lastRestartDate = later(lastRestartDate, cs.lastState?.terminated?.finishedAt);
    const restartable = isRestartableInit(initContainers.get(cs.name));
    if (restartable) {
      restartableInitRestarts += cs.restartCount ?? 0;
      lastRestartableInitDate = later(lastRestartableInitDate, cs.lastState?.terminated?.finishedAt);
    }
    const term = cs.state?.terminated;
    const wait = cs.state?.waiting;
    if (term && term.exitCode === 0) continue;
    if (restartable && cs.started) {
      if (cs.ready) readyContainers++;
      continue;
    }
    if (term) {
      reason = term.reason ? `Init:${term.reason}` : term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
    } else if (wait && wait.reason && wait.reason !== 'PodInitializing') {
      reason = `Init:${wait.reason}`;
    } else {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    }
    initializing = true;
    break;
  }

  const initializedTrue = (status.conditions ?? []).some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initializedTrue) {
    restarts = restartableInitRestarts;
    lastRestartDate = lastRestartableInitDate;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i]!;
      restarts += cs.restartCount ?? 0;
      lastRestartDate = later(lastRestartDate, cs.lastState?.terminated?.finishedAt);
      const term = cs.state?.terminated;
      const wait = cs.state?.waiting;
      if (wait && wait.reason) reason = wait.reason;
      else if (term && term.reason) reason = term.reason;
      else if (term) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode}`;
      else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const podReady = (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
      reason = podReady ? 'Running' : 'NotReady';
    }
  }

  const terminal = status.phase === 'Failed' || status.phase === 'Succeeded';
  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && !terminal) reason = 'Terminating';

  let restartsStr = String(restarts);
  if (restarts !== 0 && lastRestartDate) restartsStr = `${restarts} (${age(lastRestartDate, now)} ago)`;
  return { ready: `${readyContainers}/${totalContainers}`, reason, restarts: restartsStr };
}

/** Cells after NAME: READY STATUS RESTARTS (AGE inserted by the caller) IP NODE NOMINATED NODE READINESS GATES. */
export function podCells(pod: Pod, now: Date): unknown[] {
  const { ready, reason, restarts } = podStatusCells(pod, now);
  const status: PodStatus = pod.status ?? {};
  const podIP = status.podIPs?.[0]?.ip || NONE;
  const nodeName = pod.spec?.nodeName || NONE;
  const nominated = status.nominatedNodeName || NONE;
  let gates = NONE;
  const rg = pod.spec?.readinessGates ?? [];
  if (rg.length > 0) {
    let trueConditions = 0;
    for (const g of rg) {
      const c = (status.conditions ?? []).find((x) => x.type === g.conditionType);
      if (c?.status === 'True') trueConditions++;
    }
    gates = `${trueConditions}/${rg.length}`;
  }
  return [ready, reason, restarts, podIP, nodeName, nominated, gates];
}
