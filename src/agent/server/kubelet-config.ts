/**
 * The node's configuration as the kubelet serves it on /configz: `{"kubeletconfig": {...}}`, the
 * KubeletConfiguration (kubelet.config.k8s.io/v1beta1) in its JSON field names, without kind and
 * apiVersion (upstream's cmd/kubelet/app/server.go initConfigz registers the converted v1beta1 struct
 * under "kubeletconfig"; component-base/configz writes every registered config as one JSON object).
 * Only the fields Bosun's agent has are listed, with the values it runs with: flags where given, else
 * its defaults (which are upstream's except where noted in README.md).
 */
import { DEFAULT_CGROUP_ROOT } from '../../api/defaults.js';
import { formatGoDuration } from '../../api/duration.js';
import { DEFAULT_PRESSURE_TRANSITION_MS } from '../eviction/eviction-manager.js';
import { DEFAULT_EVICTION_HARD } from '../eviction/thresholds.js';
import { DEFAULT_IMAGE_GC_POLICY } from '../images/image-gc-policy.js';
import { CONTAINER_LOG_MONITOR_MS, DEFAULT_CONTAINER_LOG_MAX_FILES, DEFAULT_CONTAINER_LOG_MAX_SIZE } from '../logs/container-log-manager.js';
import { MAX_PODS } from '../node/node-status.js';

/** What the node runs with (undefined: the agent's default). */
export interface KubeletConfigInput {
  podCIDR: string;
  /** The agent server's address and port (the kubelet's address and port). */
  address?: string;
  port: number;
  /** containerd's CRI socket path. */
  runtimeSocket: string;
  clusterDNS?: string[];
  clusterDomain?: string;
  cgroupRoot?: string;
  resyncMs?: number;
  leaseDurationSeconds?: number;
  statusUpdateMs?: number;
  imageGC?: { highThresholdPercent?: number; lowThresholdPercent?: number; minAgeMs?: number; maxAgeMs?: number };
  eviction?: { hard?: string; pressureTransitionMs?: number };
  containerLogs?: { maxSize?: number; maxFiles?: number; monitorMs?: number };
}

/** Go's time.Duration String() of whole milliseconds: "0s", "150ms", "10s", "1m0s", "1h2m3s". */
export const goDuration = formatGoDuration;

/** A resource.Quantity of bytes as the kubelet prints containerLogMaxSize ("10Mi"). */
function binaryQuantity(bytes: number): string {
  for (const [suffix, unit] of [['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (bytes % unit === 0) return `${bytes / unit}${suffix}`;
  }
  return String(bytes);
}

/** `--eviction-hard` as the KubeletConfiguration's evictionHard map (signal -> quantity). */
function evictionMap(hard: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const stmt of hard.split(',').filter(Boolean)) {
    const [signal, value] = stmt.split('<');
    if (signal && value !== undefined) out[signal.trim()] = value.trim();
  }
  return out;
}

export function kubeletConfigz(o: KubeletConfigInput): { kubeletconfig: Record<string, unknown> } {
  const gc = { ...DEFAULT_IMAGE_GC_POLICY, ...Object.fromEntries(Object.entries(o.imageGC ?? {}).filter(([, v]) => v !== undefined)) };
  return {
    kubeletconfig: {
      enableServer: true,
      syncFrequency: goDuration(o.resyncMs ?? 60_000),
      address: o.address ?? '0.0.0.0',
      port: o.port,
      // Callers: client certificates of the cluster CA or bearer tokens reviewed by the API server,
      // then a SubjectAccessReview (server/caller-auth.ts), as the kubelet's Webhook modes.
      authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: {} },
      authorization: { mode: 'Webhook', webhook: {} },
      clusterDomain: o.clusterDomain ?? 'cluster.local',
      clusterDNS: o.clusterDNS ?? [],
      nodeStatusUpdateFrequency: goDuration(o.statusUpdateMs ?? 10_000),
      nodeLeaseDurationSeconds: o.leaseDurationSeconds ?? 40,
      imageMinimumGCAge: goDuration(gc.minAgeMs),
      imageMaximumGCAge: goDuration(gc.maxAgeMs),
      imageGCHighThresholdPercent: gc.highThresholdPercent,
      imageGCLowThresholdPercent: gc.lowThresholdPercent,
      cgroupRoot: o.cgroupRoot ?? DEFAULT_CGROUP_ROOT,
      // containerd runs with SystemdCgroup = false (containerd/config.ts).
      cgroupDriver: 'cgroupfs',
      podCIDR: o.podCIDR,
      maxPods: MAX_PODS,
      evictionHard: evictionMap(o.eviction?.hard ?? DEFAULT_EVICTION_HARD),
      evictionPressureTransitionPeriod: goDuration(o.eviction?.pressureTransitionMs ?? DEFAULT_PRESSURE_TRANSITION_MS),
      containerLogMaxSize: binaryQuantity(o.containerLogs?.maxSize ?? DEFAULT_CONTAINER_LOG_MAX_SIZE),
      containerLogMaxFiles: o.containerLogs?.maxFiles ?? DEFAULT_CONTAINER_LOG_MAX_FILES,
      containerLogMonitorInterval: goDuration(o.containerLogs?.monitorMs ?? CONTAINER_LOG_MONITOR_MS),
      containerRuntimeEndpoint: `unix://${o.runtimeSocket}`,
      enableSystemLogHandler: true,
      enableSystemLogQuery: false,
    },
  };
}
