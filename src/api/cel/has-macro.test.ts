/**
 * `has()` on a field of any operand, as CEL (and cel-go, so kube-apiserver) allows it: Gateway API's
 * HTTPRoute and GRPCRoute CRDs test `has(self[0].matches)` and `has(self.matches[0].path)`, which
 * cel-js alone refuses to compile ("has() invalid argument").
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CelEnvironment } from './environment.js';

const env = new CelEnvironment(['self']);
const run = (expr: string, self: unknown): unknown => env.evaluate(env.compile(expr), { self }, 1_000_000).value;

describe('has() on an indexed operand', () => {
  it('tests the field of a list element or of a map value', () => {
    assert.equal(run('has(self[0].matches)', [{ matches: [] }]), true);
    assert.equal(run('has(self[0].matches)', [{}]), false);
    assert.equal(run('has(self.m[0].path) && self.m[0].path.type == "Exact"', { m: [{ path: { type: 'Exact' } }] }), true);
    assert.equal(run('has(self.m[0].path)', { m: [{}] }), false);
    assert.equal(run("has(self.byName['a'].x)", { byName: { a: { x: 1 } } }), true);
  });

  it('keeps the chain rooted at an identifier as before, and fails where the operand fails', () => {
    assert.equal(run('has(self.a.b)', { a: { b: 1 } }), true);
    assert.equal(run('has(self.a.b)', { a: {} }), false);
    assert.throws(() => run('has(self[1].x)', [{}]));
  });

  it('Gateway API: the rules of an HTTPRoute compile', () => {
    // gateway.networking.k8s.io_httproutes.yaml, spec.rules[*]
    const rule = "(has(self.filters) && self.filters.exists_one(f, has(f.urlRewrite) && has(f.urlRewrite.path) && f.urlRewrite.path.type == 'ReplacePrefixMatch' && has(f.urlRewrite.path.replacePrefixMatch))) ? ((size(self.matches) != 1 || !has(self.matches[0].path) || self.matches[0].path.type != 'PathPrefix') ? false : true) : true";
    const rewrite = { urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/x' } } };
    assert.equal(run(rule, { filters: [rewrite], matches: [{ path: { type: 'PathPrefix', value: '/' } }] }), true);
    assert.equal(run(rule, { filters: [rewrite], matches: [{ path: { type: 'Exact', value: '/' } }] }), false);
    assert.equal(run(rule, { filters: [rewrite], matches: [{}] }), false);
  });
});
