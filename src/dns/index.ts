/** Cluster DNS: `startClusterDns` (API-backed) and the building blocks (static-view server, client). */
export { startClusterDns, type ClusterDnsOptions } from './cluster-dns.js';
export { startDnsServer, type DnsServer, type DnsServerOptions } from './server.js';
export { ZoneResolver, DEFAULT_ZONE, type DnsView } from './records.js';
export { queryDns } from './client.js';
export { parseResolvConf, upstreamsFromResolvConf } from './resolv-conf.js';
export { podDnsConfig, podResolvConf, type PodDnsOptions } from './pod-resolv-conf.js';
export { publishDnsEndpoint, withdrawDnsEndpoint, type DnsEndpoint } from './dns-endpoint.js';
