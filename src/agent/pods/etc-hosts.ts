import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from '../../api/kinds/index.js';
import type { Mount } from '../runtime/types.js';
import { podHostname } from './sandbox-config.js';

/** kubelet's managed /etc/hosts: localhost entries, the pod's own name and IP, hostAliases. */
export function etcHostsContent(pod: Pod, podIP: string, clusterDomain: string): string {
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  const host = podHostname(pod);
  if (podIP) {
    const sub = pod.spec?.subdomain;
    lines.push(sub ? `${podIP}\t${host}.${sub}.${pod.metadata.namespace}.svc.${clusterDomain}\t${host}` : `${podIP}\t${host}`);
  }
  const aliases = pod.spec?.hostAliases ?? [];
  if (aliases.length) {
    lines.push('', '# Entries added by HostAliases.');
    for (const a of aliases) lines.push(`${a.ip}\t${(a.hostnames ?? []).join('\t')}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Writes DIR/etc-hosts and returns the mount for containers (none for host-network pods). The file
 * is bind-mounted into running containers and this runs on every pod sync: it is rewritten only
 * when its content changes (a rewrite truncates first, so a reader could see it empty).
 */
export function writeEtcHosts(podDir: string, pod: Pod, podIP: string, clusterDomain: string): Mount[] {
  if (pod.spec?.hostNetwork) return [];
  const file = join(podDir, 'etc-hosts');
  const content = etcHostsContent(pod, podIP, clusterDomain);
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    mkdirSync(podDir, { recursive: true });
  }
  if (current !== content) writeFileSync(file, content, { mode: 0o644 });
  return [{ containerPath: '/etc/hosts', hostPath: file }];
}
