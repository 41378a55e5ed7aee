import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { cloneJson } from './json-clone.js';

test('cloneJson copies JSON values deeply and equally', () => {
  const cases: unknown[] = [
    null, 0, -1.5, '', 'x', true, false, [], {}, [1, [2, [3]]], { a: { b: { c: [{ d: null }] } } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' } }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] } },
  ];
  for (const c of cases) {
    const copy = cloneJson(c);
    assert.deepStrictEqual(copy, c);
    if (typeof c === 'object' && c !== null) assert.notStrictEqual(copy, c);
  }
});

test('cloneJson shares nothing with the original', () => {
  const orig = { a: { list: [{ x: 1 }] } };
  const copy = cloneJson(orig);
  copy.a.list[0]!.x = 2;
  copy.a.list.push({ x: 3 });
  assert.deepStrictEqual(orig, { a: { list: [{ x: 1 }] } });
});

test('cloneJson keeps a __proto__ key as data, not as the prototype', () => {
  const orig = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
  const copy = cloneJson(orig) as Record<string, unknown>;
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(copy), Object.prototype);
});
