/**
 * Opt-in automatic rollback on a real node (real containerd, the real kubectl), issue 15: a rollout
 * to a command that exits at once goes back by itself to the last fully available revision, with a
 * Warning event AutoRollback and the RolledBack condition: by the crash-loop rule (restart threshold 1
 * from the annotation), and by the progress deadline (8 s) for a revision whose pod is never Ready. The same rollout without the
 * annotation stays as upstream's progress.go leaves it: Progressing=False ProgressDeadlineExceeded,
 * the broken template kept. Needs root; `npm run build` and scripts/build-test-images.sh.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { useNodeServer, waitFor, type NodeServer } from '../../src/testing/node-server.js';

interface DeploymentJson {
  metadata: { annotations?: Record<string, string> };
  spec: { template: { spec: { containers: { command?: string[] }[] } } };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

const manifest = (name: string, annotations: Record<string, string>, progressDeadlineSeconds: number) => JSON.stringify({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name, annotations },
  spec: {
    replicas: 1, progressDeadlineSeconds,
    selector: { matchLabels: { app: name } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    template: {
      metadata: { labels: { app: name } },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: 'bosun.test/busybox:1', command: ['sleep', '3600'] }] },
    },
  },
});
/** A command that exits at once (crash-loops under restartPolicy Always). */
const CRASH = [{ op: 'replace', path: '/spec/template/spec/containers/0/command', value: ['sh', '-c', 'exit 3'] }];
/** A container that runs but is never Ready, so only the progress deadline ends the rollout (no restarts, no readiness flaps). */
const NEVER_READY = [{ op: 'add', path: '/spec/template/spec/containers/0/readinessProbe', value: { exec: { command: ['false'] }, periodSeconds: 1 } }];

describe('deployment auto-rollback on a real node', { timeout: 300_000 }, () => {
  // The Deployments go first: stop() deletes pods, which their ReplicaSets would bring back.
  const getNode = useNodeServer({}, (n) => n.k('delete', 'deployments', '--all', '--wait=true'));
  let node: NodeServer;
  before(() => {
    node = getNode();
  });

  const get = async (name: string): Promise<DeploymentJson> => JSON.parse(await node.k('get', 'deploy', name, '-o', 'json')) as DeploymentJson;
  const cond = (d: DeploymentJson, type: string) => d.status?.conditions?.find((c) => c.type === type);
  /** Apply, roll out, wait for the revision to be recorded as available (if opted in), then break it. */
  const deployAndBreak = async (name: string, annotations: Record<string, string>, deadline: number, breakWith: object[]) => {
    assert.equal((await node.kubectl(['apply', '-f', '-'], { input: manifest(name, annotations, deadline) })).code, 0);
    const r = await node.kubectl(['rollout', 'status', `deploy/${name}`, '--timeout=120s'], { timeoutMs: 130_000 });
    assert.equal(r.code, 0, r.stderr);
    if (annotations['deploy.bosun.dev/auto-rollback']) {
      await waitFor('available revision recorded', async () => (await get(name)).metadata.annotations?.['deploy.bosun.dev/available-hashes']);
    }
    await node.k('patch', 'deploy', name, '--type=json', '-p', JSON.stringify(breakWith));
  };
  const assertRolledBack = async (name: string, reason: string) => {
    const d = await waitFor(`${name} rolled back`, async () => {
      const x = await get(name);
      return cond(x, 'RolledBack') ? x : undefined;
    }, 120_000, 500).catch(async (err: unknown) => {
      throw new Error(`${String(err)}\n${await node.k('get', 'deploy,rs,pods', '-o', 'yaml')}\n${node.output().split('\n').filter((l) => /deploy/i.test(l)).slice(-20).join('\n')}`);
    });
    assert.deepEqual(d.spec.template.spec.containers[0]!.command, ['sleep', '3600'], 'the previous template is back');
    const rb = cond(d, 'RolledBack')!;
    assert.equal(rb.status, 'True');
    assert.equal(rb.reason, reason);
    assert.match(rb.message ?? '', /^Rolled back from revision 2 \(ReplicaSet "[^"]+"\) to revision 1 /);
    assert.ok(d.metadata.annotations?.['deploy.bosun.dev/auto-rollback-bad-hashes'], 'the bad revision is recorded');
    const events = await waitFor('AutoRollback event', async () => {
      const out = await node.k('get', 'events', '--field-selector', `involvedObject.name=${name},reason=AutoRollback`, '-o', 'custom-columns=TYPE:.type,MSG:.message', '--no-headers');
      return out.trim() || undefined;
    });
    assert.match(events, /^Warning\s+Rolled back from revision 2/);
    // The rollback is a new revision of the old template; it rolls out and the broken pods go.
    const r = await node.kubectl(['rollout', 'status', `deploy/${name}`, '--timeout=120s'], { timeoutMs: 130_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(await node.k('rollout', 'history', `deploy/${name}`), /^3\s/m);
    await waitFor('only the old template\'s pod left', async () => {
      const pods = await node.k('get', 'pods', '-l', `app=${name}`, '-o', 'jsonpath={range .items[*]}{.spec.containers[0].command}{"\\n"}{end}');
      return pods.trim() === '["sleep","3600"]';
    }, 60_000, 500);
  };

  it('a rollout past its progress deadline goes back to the previous revision by itself', async () => {
    await deployAndBreak('ar-deadline', { 'deploy.bosun.dev/auto-rollback': 'true' }, 8, NEVER_READY);
    await assertRolledBack('ar-deadline', 'ProgressDeadlineExceeded');
  });

  // The broken pod's first moment of readiness may complete the rollout (upstream would say so too);
  // the crash-loop rule catches it afterwards either way.
  it('a crash-looping new revision goes back at the restart threshold', async () => {
    await deployAndBreak('ar-crash', { 'deploy.bosun.dev/auto-rollback': 'true', 'deploy.bosun.dev/auto-rollback-restarts': '1' }, 600, CRASH);
    await assertRolledBack('ar-crash', 'CrashLoopBackOff');
  });

  it('without the annotation the Deployment stays as upstream leaves it', async () => {
    await deployAndBreak('ar-plain', {}, 8, NEVER_READY);
    const d = await waitFor('ProgressDeadlineExceeded', async () => {
      const x = await get('ar-plain');
      return cond(x, 'Progressing')?.reason === 'ProgressDeadlineExceeded' ? x : undefined;
    }, 120_000, 500);
    assert.equal(cond(d, 'Progressing')!.status, 'False');
    assert.equal(cond(d, 'RolledBack'), undefined);
    assert.ok((d.spec.template.spec.containers[0] as { readinessProbe?: unknown }).readinessProbe, 'the broken template stays');
    assert.equal(d.metadata.annotations?.['deploy.bosun.dev/available-hashes'], undefined);
  });
});
