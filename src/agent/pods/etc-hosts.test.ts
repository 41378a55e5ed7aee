import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Pod } from '../../api/kinds/index.js';
import { writeEtcHosts } from './etc-hosts.js';

describe('writeEtcHosts', () => {
  it('rewrites the mounted file only when its content changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bzhosts-'));
    try {
      const pod = { metadata: { name: 'web', namespace: 'default' }, spec: { containers: [] } } as unknown as Pod;
      const podDir = join(dir, 'pod');
      const [m] = writeEtcHosts(podDir, pod, '10.42.0.5', 'cluster.local');
      assert.equal(m!.containerPath, '/etc/hosts');
      assert.match(readFileSync(m!.hostPath, 'utf8'), /^10\.42\.0\.5\tweb$/m);
      utimesSync(m!.hostPath, 0, 0);
      writeEtcHosts(podDir, pod, '10.42.0.5', 'cluster.local');
      assert.equal(statSync(m!.hostPath).mtimeMs, 0, 'same content: not rewritten');
      writeEtcHosts(podDir, pod, '10.42.0.6', 'cluster.local');
      assert.notEqual(statSync(m!.hostPath).mtimeMs, 0);
      assert.match(readFileSync(m!.hostPath, 'utf8'), /^10\.42\.0\.6\tweb$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
