/**
 * RBAC's cost per request: API server CPU time per GET and per create of a pod by a user whose
 * RoleBinding allows them, with 1,000 ClusterRoleBindings and 10,000 RoleBindings stored (other
 * subjects, spread over 100 namespaces), beside the same requests against a server of the same
 * build and data with authorization AlwaysAllow (the chain before RBAC), in the same run. Each
 * server runs in its own process (bench/rbac-server.ts) and its CPU comes from /proc; the rounds
 * alternate between the two servers so drift on a shared machine hits both alike, and each row is
 * the median of the rounds. The authorization decision alone (the same policy in an in-process
 * RbacPolicyCache, no HTTP) is timed too: it is what RBAC adds to a request, free of the noise.
 * Run: node --import tsx bench/rbac.bench.ts
 * Target: RBAC adds under 10% per request.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { RbacPolicyCache } from '../src/apiserver/authz/rbac/policy-cache.js';
import { RbacAuthorizer } from '../src/apiserver/authz/rbac/rbac-authorizer.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from '../src/apiserver/authz/rbac/bootstrap-policy.js';
import { issueClientCertificate, type Pki } from '../src/apiserver/pki/pki.js';
import type { KubeObject } from '../src/api/meta.js';
import { processCpuMs } from './proc-stats.js';

const CLUSTER_BINDINGS = 1_000;
const ROLE_BINDINGS = 10_000;
const NAMESPACES = 100;
const NS = 'bench-rbac';
const USER = 'bench-user';
const GETS = 2_000;
const CREATES = 800;
const ROUNDS = 10;
const CONCURRENCY = 8;
const RBAC = 'rbac.authorization.k8s.io';

interface Server { mode: string; child: ChildProcess; url: string; dir: string; admin: Agent; user: Agent }

const cpuMs = processCpuMs;

async function start(mode: 'RBAC' | 'AlwaysAllow'): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), `bosun-rbac-bench-${mode}-`));
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'rbac-server.ts'), mode, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  const { url } = JSON.parse(line) as { url: string };
  const pki = join(dir, 'pki');
  const ca = { cert: readFileSync(join(pki, 'ca.crt'), 'utf8'), key: readFileSync(join(pki, 'ca.key'), 'utf8') };
  const user = issueClientCertificate({ ca } as Pki, USER, ['bench-group']);
  const agent = (cert: string, key: string) => new Agent({ keepAlive: true, maxSockets: 64, ca: ca.cert, cert, key });
  return { mode, child, url, dir, admin: agent(readFileSync(join(pki, 'admin.crt'), 'utf8'), readFileSync(join(pki, 'admin.key'), 'utf8')), user: agent(user.cert, user.key) };
}

function send(s: Server, agent: Agent, method: string, path: string, body?: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, s.url), { method, agent, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

async function all(total: number, concurrency: number, one: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) await one(next++);
  }));
}

const ok = (what: string) => (code: number): void => {
  if (code >= 300) throw new Error(`${what}: ${code}`);
};

const binding = (kind: string, name: string, i: number, ns?: string) => ({
  apiVersion: `${RBAC}/v1`, kind, metadata: { name, ...(ns ? { namespace: ns } : {}) },
  roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'view' },
  subjects: [{ kind: 'User', apiGroup: RBAC, name: `user-${i}` }, { kind: 'Group', apiGroup: RBAC, name: `group-${i % 500}` }, { kind: 'ServiceAccount', name: `sa-${i}`, namespace: ns ?? 'default' }],
});

async function seed(s: Server): Promise<void> {
  const a = s.admin;
  for (let n = 0; n < NAMESPACES; n++) ok('ns')(await send(s, a, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `bench-ns-${n}` } }));
  ok('ns')(await send(s, a, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }));
  await all(CLUSTER_BINDINGS, 32, async (i) => ok('crb')(await send(s, a, 'POST', `/apis/${RBAC}/v1/clusterrolebindings`, binding('ClusterRoleBinding', `bench-crb-${i}`, i))));
  await all(ROLE_BINDINGS, 32, async (i) => {
    const ns = `bench-ns-${i % NAMESPACES}`;
    ok('rb')(await send(s, a, 'POST', `/apis/${RBAC}/v1/namespaces/${ns}/rolebindings`, binding('RoleBinding', `bench-rb-${i}`, i, ns)));
  });
  // The bench user's own grant: a Role in NS bound to its group, among 100 other bindings there.
  await all(100, 16, async (i) => ok('rb')(await send(s, a, 'POST', `/apis/${RBAC}/v1/namespaces/${NS}/rolebindings`, binding('RoleBinding', `other-${i}`, 100_000 + i, NS))));
  ok('role')(await send(s, a, 'POST', `/apis/${RBAC}/v1/namespaces/${NS}/roles`, { apiVersion: `${RBAC}/v1`, kind: 'Role', metadata: { name: 'pods' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'create'] }] }));
  ok('rb')(await send(s, a, 'POST', `/apis/${RBAC}/v1/namespaces/${NS}/rolebindings`, { apiVersion: `${RBAC}/v1`, kind: 'RoleBinding', metadata: { name: 'bench' }, roleRef: { apiGroup: RBAC, kind: 'Role', name: 'pods' }, subjects: [{ kind: 'Group', apiGroup: RBAC, name: 'bench-group' }] }));
  ok('pod')(await send(s, a, 'POST', `/api/v1/namespaces/${NS}/pods`, pod('target')));
}

let seq = 0;
const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'bench' } }, spec: { containers: [{ name: 'main', image: 'registry.local/bench:1.0' }] } });

/** Server CPU µs per request for `n` requests of `one`. */
async function measure(s: Server, n: number, one: (i: number) => Promise<void>): Promise<number> {
  const c0 = cpuMs(s.child.pid!);
  await all(n, CONCURRENCY, one);
  return ((cpuMs(s.child.pid!) - c0) * 1000) / n;
}

/** µs per RBAC decision for the bench user's GET, with the same bindings and roles as the servers. */
function decisionAlone(): number {
  const cache = new RbacPolicyCache(() => undefined);
  let rv = 1;
  const put = (resource: 'roles' | 'clusterroles' | 'rolebindings' | 'clusterrolebindings', o: object) =>
    cache.observe(resource, { ...(o as KubeObject), metadata: { ...(o as KubeObject).metadata, resourceVersion: String(rv++) } }, false);
  for (const r of bootstrapClusterRoles()) put('clusterroles', { ...r, ...(r.metadata.name === 'view' ? { rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] } : {}) });
  for (const b of bootstrapClusterRoleBindings()) put('clusterrolebindings', b);
  for (let i = 0; i < CLUSTER_BINDINGS; i++) put('clusterrolebindings', binding('ClusterRoleBinding', `bench-crb-${i}`, i));
  for (let i = 0; i < ROLE_BINDINGS; i++) put('rolebindings', binding('RoleBinding', `bench-rb-${i}`, i, `bench-ns-${i % NAMESPACES}`));
  for (let i = 0; i < 100; i++) put('rolebindings', binding('RoleBinding', `other-${i}`, 100_000 + i, NS));
  put('roles', { metadata: { name: 'pods', namespace: NS }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'create'] }] });
  put('rolebindings', { metadata: { name: 'bench', namespace: NS }, roleRef: { apiGroup: RBAC, kind: 'Role', name: 'pods' }, subjects: [{ kind: 'Group', apiGroup: RBAC, name: 'bench-group' }] });
  const rbac = new RbacAuthorizer(cache);
  const user = { name: USER, groups: ['bench-group', 'system:authenticated'] };
  const q = { verb: 'get', group: '', resource: 'pods', namespace: NS, name: 'target' };
  const n = 200_000;
  for (let i = 0; i < n / 10; i++) rbac.authorize(user, q);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) if (!rbac.authorize(user, q).allowed) throw new Error('denied');
  return ((performance.now() - t0) * 1000) / n;
}

async function main(): Promise<void> {
  const servers = [await start('RBAC'), await start('AlwaysAllow')];
  try {
    const t0 = performance.now();
    await Promise.all(servers.map(seed));
    console.log(`seeded ${CLUSTER_BINDINGS} ClusterRoleBindings + ${ROLE_BINDINGS + 101} RoleBindings per server in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    // The denial really happens on the RBAC server (and not on the other).
    const denied = await send(servers[0]!, servers[0]!.user, 'GET', '/api/v1/namespaces/bench-ns-0/pods');
    const open = await send(servers[1]!, servers[1]!.user, 'GET', '/api/v1/namespaces/bench-ns-0/pods');
    if (denied !== 403 || open !== 200) throw new Error(`expected 403 with RBAC and 200 without, got ${denied} and ${open}`);
    const samples = new Map<string, number[]>();
    const add = (k: string, v: number) => samples.set(k, [...(samples.get(k) ?? []), v]);
    const median = (k: string) => {
      const xs = [...samples.get(k)!].sort((a, b) => a - b);
      return xs[Math.floor(xs.length / 2)]!;
    };
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of round % 2 ? [...servers].reverse() : servers) {
        add(`${s.mode} get`, await measure(s, GETS, async () => ok('get')(await send(s, s.user, 'GET', `/api/v1/namespaces/${NS}/pods/target`))));
        add(`${s.mode} create`, await measure(s, CREATES, async () => ok('create')(await send(s, s.user, 'POST', `/api/v1/namespaces/${NS}/pods`, pod(`p-${seq++}`)))));
        add(`${s.mode} admin get`, await measure(s, GETS, async () => ok('get')(await send(s, s.admin, 'GET', `/api/v1/namespaces/${NS}/pods/target`))));
      }
    }
    const row = (name: string, rbac: number, base: number) =>
      console.log(`${name.padEnd(44)}  ${rbac.toFixed(0).padStart(10)}  ${base.toFixed(0).padStart(12)}  ${(((rbac - base) / base) * 100).toFixed(1).padStart(8)}%  < 10%`);
    console.log(`${'server CPU µs per request'.padEnd(44)}  ${'RBAC'.padStart(10)}  ${'AlwaysAllow'.padStart(12)}  ${'added'.padStart(9)}  target`);
    row('GET pod (user bound by a RoleBinding)', median('RBAC get'), median('AlwaysAllow get'));
    row('create pod (user bound by a RoleBinding)', median('RBAC create'), median('AlwaysAllow create'));
    row('GET pod as system:masters (short-circuit)', median('RBAC admin get'), median('AlwaysAllow admin get'));
    const decision = decisionAlone();
    console.log(`${'RBAC decision alone, same policy (in-process)'.padEnd(44)}  ${decision.toFixed(2).padStart(10)}  ${'0'.padStart(12)}  ${((decision / median('AlwaysAllow get')) * 100).toFixed(1).padStart(8)}%  of a GET`);
  } finally {
    for (const s of servers) {
      s.admin.destroy();
      s.user.destroy();
      s.child.kill('SIGTERM');
      await new Promise((r) => (s.child.exitCode !== null ? r(undefined) : s.child.once('exit', r)));
      rmSync(s.dir, { recursive: true, force: true });
    }
  }
}

await main();
