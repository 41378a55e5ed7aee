import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ConfigMap, Pod } from '../../api/kinds/index.js';
import { VolumeSetupError } from './projections.js';
import { ServiceAccountTokenManager } from './service-account-tokens.js';
import { VolumeManager } from './volume-manager.js';

/** The volume manager on a real directory (root: chown): fsGroup on emptyDir, hostile payloads refused. */

const base = mkdtempSync(join(tmpdir(), 'bzvm-'));
const cm: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' }, data: { k: 'v' } };
const vm = new VolumeManager({
  podsDir: join(base, 'pods'),
  lookup: { configMap: (_ns, name) => (name === 'cm' ? cm : undefined), secret: () => undefined },
  allocatable: { cpu: '1', memory: '1Gi' },
});
let n = 0;
const pod = (spec: Partial<NonNullable<Pod['spec']>>): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: `uid-${n++}` },
  spec: { containers: [{ name: 'c', image: 'x' }], ...spec },
});

describe('VolumeManager', () => {
  after(() => rmSync(base, { recursive: true, force: true }));

  it('an emptyDir is 0777 and, with fsGroup, group-owned with setgid (once: a later change inside stays)', async () => {
    const p = pod({ securityContext: { fsGroup: 2000 }, volumes: [{ name: 'data', emptyDir: {} }] });
    const dir = (await vm.setup(p)).get('data')!.hostPath;
    assert.equal(statSync(dir).mode & 0o7777, 0o2777);
    assert.equal(statSync(dir).gid, 2000);
    const plain = (await vm.setup(pod({ volumes: [{ name: 'data', emptyDir: {} }] }))).get('data')!.hostPath;
    assert.equal(statSync(plain).mode & 0o7777, 0o777, 'upstream emptyDir mode whatever the umask');
  });

  it('a configMap item path outside the volume is a setup error, and the volume directory stays', async () => {
    const p = pod({ volumes: [{ name: 'cfg', configMap: { name: 'cm', items: [{ key: 'k', path: '/etc/pwned' }] } }] });
    await assert.rejects(vm.setup(p), (err) => err instanceof VolumeSetupError && /must be relative path/.test(err.message));
    const dir = join(vm.volumesDir(p.metadata.uid!), 'cfg');
    assert.ok(statSync(dir).isDirectory());
    assert.deepEqual(readdirSync(dir), []);
    assert.equal(existsSync('/etc/pwned'), false);
  });

  it('a volume name that is not a DNS label never becomes a path', async () => {
    const p = pod({ volumes: [{ name: '../../escape', emptyDir: {} }] });
    await assert.rejects(vm.setup(p), VolumeSetupError);
    assert.equal(existsSync(join(base, 'escape')), false);
  });

  it('a projected serviceAccountToken is the token source\'s, written again with a fresh token once 80% of its life has passed', async () => {
    let now = 1_000_000;
    let issued = 0;
    const tokens = new ServiceAccountTokenManager({
      createSubresource: async <R>(_ref: unknown, _ns: string | undefined, _name: string, _sub: string, body: unknown): Promise<R> => {
        const seconds = (body as { spec: { expirationSeconds: number } }).spec.expirationSeconds;
        return { status: { token: `token-${++issued}`, expirationTimestamp: new Date(now + seconds * 1000).toISOString() } } as R;
      },
    }, () => now);
    const withTokens = new VolumeManager({ podsDir: join(base, 'pods'), lookup: { configMap: () => cm, secret: () => undefined }, allocatable: { cpu: '1', memory: '1Gi' }, tokens });
    const p = pod({
      serviceAccountName: 'robot',
      volumes: [{ name: 'kube-api-access-abcde', projected: { defaultMode: 0o644, sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3607 } }, { configMap: { name: 'cm', items: [{ key: 'k', path: 'ca.crt' }] } }] } }],
    });
    try {
      const dir = (await withTokens.setup(p)).get('kube-api-access-abcde')!.hostPath;
      assert.equal(readFileSync(join(dir, 'token'), 'utf8'), 'token-1');
      now += 2_000_000;
      await withTokens.setup(p);
      assert.equal(readFileSync(join(dir, 'token'), 'utf8'), 'token-1', 'still young: the same token');
      now += 1_000_000;
      await withTokens.setup(p);
      assert.equal(readFileSync(join(dir, 'token'), 'utf8'), 'token-2', 'past 80% of 3607 s: renewed');
      assert.equal(readFileSync(join(dir, 'ca.crt'), 'utf8'), 'v');
      const noSource = new VolumeManager({ podsDir: join(base, 'pods2'), lookup: { configMap: () => cm, secret: () => undefined }, allocatable: { cpu: '1', memory: '1Gi' } });
      await assert.rejects(noSource.setup(p), (err) => err instanceof VolumeSetupError && /failed to fetch token/.test(err.message));
      await noSource.teardown(p.metadata.uid!);
    } finally {
      await withTokens.teardown(p.metadata.uid!);
    }
  });
});
