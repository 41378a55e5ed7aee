/**
 * Admission CEL (ValidatingAdmissionPolicy validations and matchConditions) has the Kubernetes CEL
 * libraries and upstream's cost limits: PerCallLimit per expression, RuntimeCELCostBudget per policy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, evaluateBool, matchConditions, RUNTIME_CEL_COST_BUDGET } from './cel.js';

const pod = {
  metadata: { name: 'web', labels: { tier: 'frontend' } },
  spec: { containers: [{ name: 'c', image: 'registry.example.com/app:1.2', resources: { limits: { memory: '3Gi' } } }] },
};

test('VAP expressions use the quantity, url, regex, lists and strings libraries', () => {
  const act = { object: pod, request: { operation: 'CREATE' } };
  assert.equal(evaluateBool("object.spec.containers.all(c, quantity(c.resources.limits.memory).isLessThan(quantity('2Gi')))", act), false);
  assert.equal(evaluateBool("object.spec.containers.all(c, url('https://' + c.image).getHostname() == 'registry.example.com')", act), true);
  assert.equal(evaluate("object.spec.containers.map(c, c.image.find(':[0-9.]+$').replace(':', ''))", act)?.toString(), '1.2');
  assert.equal(evaluate("'%s/%s'.format([request.operation.lowerAscii(), object.metadata.name])", act), 'create/web');
  assert.equal(evaluateBool('[3, 1, 2].isSorted()', act), false);
  assert.deepEqual(matchConditions([{ name: 'frontend', expression: "object.metadata.labels.?tier.orValue('') == 'frontend'" }], act), { matches: true });
});

test('an expression past PerCallLimit errors with cel-go\'s message; a policy\'s expressions share RuntimeCELCostBudget', () => {
  const big = { object: { rows: Array.from({ length: 1000 }, () => Array.from({ length: 400 }, () => 1)) } };
  assert.throws(() => evaluate('object.rows.all(r, r.all(c, c > 0))', big), { message: 'operation cancelled: actual cost limit exceeded' });
  const mc = matchConditions([{ name: 'walk', expression: 'object.rows.all(r, r.all(c, c > 0))' }], big);
  assert.match(mc.error ?? '', /matchCondition 'walk' error: operation cancelled: actual cost limit exceeded/);
  // 12 evaluations of ~900,000 each: the 12th runs out of the 10,000,000
  const act = { object: { s: 'b'.repeat(100_000) } };
  const budget = { remaining: RUNTIME_CEL_COST_BUDGET };
  const expr = `object.s.matches('${'a?'.repeat(180)}')`;
  for (let i = 0; i < 11; i++) evaluate(expr, act, budget);
  assert.ok(budget.remaining < 1_000_000 && budget.remaining > 0, String(budget.remaining));
  assert.throws(() => evaluate(expr, act, budget), /validation failed due to running out of cost budget, no further validation rules will be run/);
});

test('a variable evaluated while another expression reads it is metered apart and charged to its reader', () => {
  const act: Record<string, unknown> = { object: { items: Array.from({ length: 100 }, (_, i) => i) } };
  let inner = 0;
  act.variables = {
    get total() {
      const before = { remaining: RUNTIME_CEL_COST_BUDGET };
      const v = evaluate('object.items.map(x, x * 2).size()', act, before);
      inner = RUNTIME_CEL_COST_BUDGET - before.remaining;
      return v;
    },
  };
  const budget = { remaining: RUNTIME_CEL_COST_BUDGET };
  assert.equal(evaluate('variables.total == 100', act, budget), true);
  assert.ok(inner > 1000, String(inner));
  // the reader paid for the variable: its own select, index and comparison on top of the variable's cost
  assert.equal(RUNTIME_CEL_COST_BUDGET - budget.remaining, inner + 3);
});
