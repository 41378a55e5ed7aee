/**
 * The service proxy's Prometheus metrics under kube-proxy's names (pkg/proxy/metrics/metrics.go),
 * served with the rest of the node's on the agent's /metrics (controller-runtime/exposition.ts).
 */
import { exponentialBuckets, Gauge, Histogram, nodeRegistry } from '../controller-runtime/exposition.js';

export const syncProxyRulesDuration = nodeRegistry.register(new Histogram('kubeproxy_sync_proxy_rules_duration_seconds',
  '[ALPHA] SyncProxyRules latency in seconds', exponentialBuckets(0.001, 2, 15)));

export const syncProxyRulesLastTimestamp = nodeRegistry.register(new Gauge('kubeproxy_sync_proxy_rules_last_timestamp_seconds',
  '[ALPHA] The last time proxy rules were successfully synced'));
