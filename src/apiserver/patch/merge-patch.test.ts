/** JSON merge patch: the RFC 7386 appendix A examples plus the API-object cases. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch } from './merge-patch.js';
import { StatusError } from '../../api/status.js';
import { deepFreeze } from '../../api/mutation-detector.js';

// RFC 7386 Appendix A, wrapped in an object where the RFC's target is not one.
const cases: { target: Record<string, unknown>; patch: unknown; expected: unknown }[] = [
  { target: { a: 'b' }, patch: { a: 'c' }, expected: { a: 'c' } },
  { target: { a: 'b' }, patch: { b: 'c' }, expected: { a: 'b', b: 'c' } },
  { target: { a: 'b' }, patch: { a: null }, expected: {} },
  { target: { a: 'b', b: 'c' }, patch: { a: null }, expected: { b: 'c' } },
  { target: { a: ['b'] }, patch: { a: 'c' }, expected: { a: 'c' } },
  { target: { a: 'c' }, patch: { a: ['b'] }, expected: { a: ['b'] } },
  { target: { a: { b: 'c' } }, patch: { a: { b: 'd', c: null } }, expected: { a: { b: 'd' } } },
  { target: { a: [{ b: 'c' }] }, patch: { a: [1] }, expected: { a: [1] } },
  { target: { e: null }, patch: { a: 1 }, expected: { e: null, a: 1 } },
  { target: {}, patch: { a: { bb: { ccc: null } } }, expected: { a: { bb: {} } } },
  // kubectl scale: merge patch of the scale subresource.
  { target: { spec: { replicas: 1 }, status: { replicas: 1 } }, patch: { spec: { replicas: 4 } }, expected: { spec: { replicas: 4 }, status: { replicas: 1 } } },
];

cases.forEach((c, i) => {
  test(`merge patch: case ${i + 1} ${JSON.stringify(c.patch)}`, () => {
    const before = structuredClone(c.target);
    const out = applyMergePatch(c.target, c.patch);
    assert.deepEqual(out, c.expected);
    assert.deepEqual(c.target, before, 'input must not be modified');
  });
});

test('merge patch: a non-object patch replaces the document and fails to decode (422 on field patch)', () => {
  assert.throws(() => applyMergePatch({ a: 1 }, ['x']), (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 422);
    assert.equal(e.status.details?.causes?.[0]?.field, 'patch');
    return true;
  });
});

test('merge patch: result does not share structure with the input', () => {
  const target = { metadata: { labels: { a: '1' } }, spec: { x: { y: 1 } } };
  const out = applyMergePatch(target, { metadata: { labels: { b: '2' } } });
  (out.spec as any).x.y = 2;
  assert.equal(target.spec.x.y, 1);
});

test('merge patch: a "__proto__" key never reaches an object prototype', () => {
  const out = applyMergePatch({ a: 1 }, JSON.parse('{"__proto__":{"polluted":true},"b":2}'));
  assert.deepEqual(out, { a: 1, b: 2 });
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.equal(({} as any).polluted, undefined);
});

// Copy on write (`share`): the /status write path patches the request's own copy this way. Every
// case above must give the same result, leave the (frozen) input untouched, and share each subtree
// the patch does not name with the input.
const sharingCases: { target: Record<string, unknown>; patch: Record<string, unknown>; shared: string[][] }[] = [
  ...cases.filter((c) => typeof c.patch === 'object' && c.patch !== null && !Array.isArray(c.patch))
    .map((c) => ({ target: c.target, patch: c.patch as Record<string, unknown>, shared: [] })),
  {
    target: { metadata: { name: 'p', labels: { a: '1' }, finalizers: ['f'] }, spec: { containers: [{ name: 'c' }] }, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled' }], qosClass: 'Burstable' } },
    patch: { metadata: { uid: 'u' }, status: { phase: 'Running', conditions: [{ type: 'Ready' }] } },
    shared: [['spec'], ['metadata', 'labels'], ['metadata', 'finalizers']],
  },
  {
    target: { metadata: { name: 'p', annotations: { x: 'y' } }, spec: { a: { b: { c: 1 } }, d: { e: 2 } } },
    patch: { spec: { a: { b: { c: null, z: [1] } } } },
    shared: [['metadata'], ['spec', 'd']],
  },
];

const at = (v: unknown, path: string[]): unknown => path.reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], v);

sharingCases.forEach((c, i) => {
  test(`merge patch copy on write: case ${i + 1} ${JSON.stringify(c.patch)}`, () => {
    const target = deepFreeze(structuredClone(c.target));
    const out = applyMergePatch(target, c.patch, true);
    assert.deepEqual(out, applyMergePatch(structuredClone(c.target), c.patch), 'same result as a patch of a deep copy');
    assert.deepEqual(target, c.target, 'input must not be modified');
    assert.notEqual(out, target, 'the top level is the result\'s own');
    for (const p of c.shared) assert.equal(at(out, p), at(target, p), `${p.join('.')} is shared, not copied`);
    // What the patch set is the result's own: writing it leaves the input alone.
    assert.ok(!Object.isFrozen(out));
  });
});
