/**
 * Kubernetes' official Python client (Debian's python3-kubernetes, installed by
 * `scripts/setup.sh --test`) through a list/watch/patch/apply/delete/binding workout against an
 * in-process API server with the garbage collector running. The client spells booleans as Python
 * does (`watch=False`, `force=True`, `orphanDependents=True`), which upstream parses like any other
 * value (apimachinery's runtime.Convert_Slice_string_To_bool). The script is the fixture
 * python-client-workout.py; it reports each step's result and this file checks them.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { isNotFound } from '../../src/client/errors.js';
import { addGarbageCollector } from '../../src/controllers/garbage-collector/garbage-collector.js';
import { startControllerEnv, type ControllerEnv } from '../../src/testing/controller-env.js';
import { eventually } from '../../src/testing/eventually.js';

const NS = `e2e-py-${process.pid}`;
const SCRIPT = fileURLToPath(new URL('./python-client-workout.py', import.meta.url));
// Debian's interpreter: the one python3-kubernetes is installed for (another python3 may come first on PATH).
const PYTHON = '/usr/bin/python3';

let env: ControllerEnv;
let tmp: string;
let results: Record<string, any>;

function runWorkout(kubeconfig: string): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [SCRIPT, kubeconfig, NS, tmp], { timeout: 240_000, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`python workout failed: ${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout) as Record<string, any>);
    });
  });
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'bosun-py-client-'));
  env = await startControllerEnv({ namespace: NS, add: addGarbageCollector });
  results = await runWorkout(env.ts.kubeconfig);
});
after(async () => {
  await env?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('list with watch=False is a list, not a watch (the README example)', () => {
  assert.ok(results.list.names?.includes('py-list'), JSON.stringify(results.list));
  assert.match(results.list.resourceVersion ?? '', /^\d+$/);
  assert.deepEqual(results.listPaged, { items: 1, continue: true });
});

test('watch from a resourceVersion with timeout_seconds sees the new object and ends when the server closes it', () => {
  const events = (results.watch.events ?? []).filter((e: string) => !e.startsWith('BOOKMARK:'));
  assert.deepEqual(events, ['ADDED:py-watched'], JSON.stringify(results.watch));
});

test('strategic, merge and JSON patches', () => {
  assert.deepEqual(results.strategicPatch.data, { a: '1', s: 'strategic' });
  assert.deepEqual(results.mergePatch.data, { s: 'strategic', m: 'merge' });
  assert.deepEqual(results.jsonPatch.data, { s: 'strategic', m: 'merge', j: 'json' });
});

test('server-side apply: a conflict without force (force=False), ownership taken with force=True', () => {
  assert.equal(results.applyFirst.code, 201, JSON.stringify(results.applyFirst));
  assert.deepEqual(results.applyFirst.managers, ['py-owner-a']);
  assert.equal(results.applyConflict.status, 409, JSON.stringify(results.applyConflict));
  assert.equal(results.applyForce.code, 200, JSON.stringify(results.applyForce));
  assert.deepEqual(results.applyForce.data, { key: 'b' });
  assert.deepEqual(results.applyForce.managers, ['py-owner-b']);
});

test('delete with orphanDependents=True orphans the dependent instead of deleting it', async () => {
  assert.equal(results.deleteOrphan.code, 200, JSON.stringify(results.deleteOrphan));
  assert.deepEqual(results.deleteOrphan.finalizers, ['orphan']);
  assert.equal(results.deleteOrphan.deleting, true);
  const cms = env.client.configMaps(NS);
  // The collector removes the dependent's reference, then the owner's finalizer; the owner goes.
  await eventually(async () => {
    try {
      await cms.get('py-owner');
      return false;
    } catch (e) {
      if (isNotFound(e)) return true;
      throw e;
    }
  }, 'the owner is gone', 30_000);
  const dep = await cms.get('py-dependent');
  assert.deepEqual(dep.metadata.ownerReferences ?? [], []);
});

test('create_namespaced_binding (POST .../bindings) binds the pod as pods/NAME/binding does', () => {
  assert.deepEqual(results.binding, { code: 201, nodeName: 'py-node' });
});
