/**
 * Pod builders and waits shared by the [sig-node] pods conformance modules (conformance-node-pods.test.ts
 * and the conformance-node-pods-*.ts files it imports).
 */
import type { Container, Pod } from '../../src/api/kinds/index.js';
import { eventually } from '../../src/testing/eventually.js';
import { BUSYBOX, type NodeConformance } from './conformance-node-harness.js';

export const ctr = (name: string, command: string[], extra: Partial<Container> = {}): Container => ({ name, image: BUSYBOX, command, ...extra });
export const podOf = (name: string, spec: Partial<NonNullable<Pod['spec']>>, labels?: Record<string, string>): Pod =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { terminationGracePeriodSeconds: 1, containers: [], ...spec } });
export const condition = (p: Pod, type: string) => p.status?.conditions?.find((x) => x.type === type);
export const gone = (c: NodeConformance, name: string) =>
  eventually(async () => (await c.client.pods(c.ns).list({ fieldSelector: `metadata.name=${name}` })).items.length === 0, `pod ${name} gone`, { timeoutMs: 60_000, intervalMs: 300 });
