/**
 * Stopping and removing a node, as an operator does (issue 12): SIGTERM to `bosun server` stops it
 * but leaves the pods and the node's Service rules, so a ClusterIP keeps answering while the server
 * is down (as kube-proxy and k3s leave theirs); `bosun killall --data-dir DIR` then removes
 * everything of that node (pods, containerd, shims, mounts, network namespaces, nftables, bridge,
 * cgroups) and nothing of a second node running on the same machine from another data dir.
 * Needs root; `npm run build` and scripts/build-test-images.sh first.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { cgroupDirsExisting } from '../../src/agent/runtime/cgroups.js';
import { netnsInode, processesInCgroup, processesNaming } from '../../src/cluster/killall/host-processes.js';
import { BOSUN_BIN, startNodeServer, waitFor, type NodeServer } from '../../src/testing/node-server.js';
import { httpGet, startServicesNode, whoDeployment, type ServicesNode } from './services-harness.js';

const run = promisify(execFile);
let a: ServicesNode;
let b: NodeServer;

const svc = `
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
`;
const SLEEPER = `
apiVersion: v1
kind: Pod
metadata: {name: sleeper}
spec: {containers: [{name: c, image: bosun.test/busybox:1, command: [sleep, '3600']}], terminationGracePeriodSeconds: 1}
`;

const tableExists = async (t: string): Promise<boolean> => run('nft', ['list', 'table', 'ip', t]).then(() => true, () => false);
const mountsUnder = (dir: string): string[] => readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
  .map((l) => l.split(' ')[4] ?? '').filter((m) => m === dir || m.startsWith(`${dir}/`));
/** /run/netns entries that are one of these network namespaces. */
const netnsNamed = (inodes: Set<string>): string[] => (existsSync('/run/netns') ? readdirSync('/run/netns') : [])
  .filter((n) => { try { return inodes.has(String(statSync(join('/run/netns', n)).ino)); } catch { return false; } });

describe('bosun killall', { timeout: 240_000 }, () => {
  before(async () => {
    [a, b] = await Promise.all([startServicesNode(), startNodeServer()]);
    await a.kubectl(['apply', '-f', '-'], { input: `${whoDeployment('web', 1)}---${svc}` });
    await b.kubectl(['apply', '-f', '-'], { input: SLEEPER });
    await waitFor('a ready web pod on A and the sleeper on B', async () =>
      (await a.k('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}')) === 'True'
      && (await b.k('get', 'pod', 'sleeper', '-o', 'jsonpath={.status.phase}')) === 'Running', 90_000, 500);
  });
  after(async () => {
    await b?.stop().catch(() => undefined);
    await b?.forceCleanup();
    a?.dropTable();
    await a?.forceCleanup();
  });

  it('SIGTERM stops the server but leaves its pods and Service rules: the ClusterIP keeps answering', async () => {
    const ip = await a.k('get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}');
    await waitFor('the ClusterIP to answer', () => httpGet(ip, 80).then(() => true), 15_000);
    a.child.kill('SIGTERM');
    await new Promise((r) => (a.child.exitCode !== null ? r(null) : a.child.once('exit', r)));
    assert.equal(a.child.exitCode, 0, a.output());
    assert.ok(await tableExists(a.table), `table ip ${a.table} was removed on SIGTERM`);
    assert.ok(await tableExists(`${a.table}-masq`), 'the masquerade table was removed on SIGTERM');
    assert.ok(await tableExists(`${a.table}-netpol`), 'the NetworkPolicy table was removed on SIGTERM');
    assert.match(await httpGet(ip, 80), /^web-/, 'the Service answers with the server stopped');
  });

  it('bosun killall --data-dir removes everything of that node and nothing of the other', async () => {
    const podProcs = processesInCgroup(a.cgroupRoot);
    assert.ok(podProcs.length > 0, 'the pods of A are still running before killall');
    const inodes = new Set(podProcs.map(netnsInode).filter((x): x is string => !!x));
    const bProcs = processesInCgroup(b.cgroupRoot);
    assert.ok(bProcs.length > 0);

    const r = await run(process.execPath, [BOSUN_BIN, 'killall', '--data-dir', a.dataDir]);
    assert.match(r.stdout, /bosun: killall .*sandboxes removed/);

    assert.deepEqual(processesNaming(a.dataDir), [], 'containerd, shims or bosun of A still running');
    assert.deepEqual(processesInCgroup(a.cgroupRoot), [], 'container processes of A still running');
    assert.deepEqual(cgroupDirsExisting(a.cgroupRoot), [], 'pod cgroups of A left');
    assert.deepEqual(netnsNamed(inodes), [], 'network namespaces of A\'s pods left');
    assert.deepEqual(mountsUnder(a.dataDir), [], 'mounts under A\'s data dir left');
    assert.equal(await tableExists(a.table), false, 'proxy table of A left');
    assert.equal(await tableExists(`${a.table}-masq`), false, 'masquerade table of A left');
    assert.equal(await tableExists(`${a.table}-netpol`), false, 'NetworkPolicy table of A left');
    assert.equal(existsSync(`/sys/class/net/${a.bridge}`), false, 'bridge of A left');
    assert.ok(existsSync(join(a.dataDir, 'state.db')), 'killall keeps the data dir (uninstall removes it)');

    // The other node on this machine is untouched: its server, pods, tables and bridge.
    assert.equal(b.child.exitCode, null, 'B\'s server was stopped');
    assert.ok(bProcs.every((p) => existsSync(`/proc/${p}`)), 'B\'s container processes were killed');
    assert.equal(await b.k('get', 'pod', 'sleeper', '-o', 'jsonpath={.status.phase}'), 'Running');
    assert.ok(await tableExists(b.prefix), 'B\'s proxy table was removed');
    assert.ok(await tableExists(`${b.prefix}-netpol`), 'B\'s NetworkPolicy table was removed');
    assert.ok(existsSync(`/sys/class/net/${b.bridge}`), 'B\'s bridge was removed');

    const again = await run(process.execPath, [BOSUN_BIN, 'killall', '--data-dir', a.dataDir]);
    assert.match(again.stdout, /no bosun process running; 0 pod sandboxes removed; 0 processes killed/);
  });
});
