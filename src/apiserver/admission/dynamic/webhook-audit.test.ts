/**
 * The webhook dispatchers' audit annotations (webhook-audit.ts) as upstream writes them: keys by
 * round and index, Go's json.Marshal values (HTML-safe escapes, a patch operation's keys sorted), the
 * patch only on events at Request level and above.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditLevel } from '../../audit/policy.js';
import type { RequestContext } from '../../storage/types.js';
import { MutationAnnotator, validatingFailedOpen } from './webhook-audit.js';

const context = (auditLevel: AuditLevel): RequestContext => ({ user: 'u', groups: [], dryRun: false, fieldValidation: 'Ignore', warnings: [], auditAnnotations: new Map(), auditLevel });
const origin = { configuration: 'cfg', index: 2 };

test('a patch is logged at Request level and above only; the mutation at Metadata', () => {
  for (const [level, withPatch] of [['Metadata', false], ['Request', true], ['RequestResponse', true]] as const) {
    const ctx = context(level);
    const a = new MutationAnnotator(ctx, 'wh.example.com', origin, 0);
    a.patch([{ op: 'add', path: '/a', value: 1 }]);
    a.mutation(true);
    assert.deepEqual([...ctx.auditAnnotations!.keys()], [
      ...(withPatch ? ['patch.webhook.admission.k8s.io/round_0_index_2'] : []),
      'mutation.webhook.admission.k8s.io/round_0_index_2',
    ], level);
  }
});

test("values are Go's json.Marshal: struct field order, sorted operation keys, <>& escaped; round 1 is the reinvocation", () => {
  const ctx = context('Request');
  const a = new MutationAnnotator(ctx, 'wh.example.com', origin, 1);
  a.patch([{ value: { z: '<b>&', a: 1 }, path: '/metadata/labels', op: 'add' }]);
  a.mutation(false);
  a.failedOpen();
  assert.deepEqual(Object.fromEntries(ctx.auditAnnotations!), {
    'patch.webhook.admission.k8s.io/round_1_index_2':
      '{"configuration":"cfg","webhook":"wh.example.com","patch":[{"op":"add","path":"/metadata/labels","value":{"z":"\\u003cb\\u003e\\u0026","a":1}}],"patchType":"JSONPatch"}',
    'mutation.webhook.admission.k8s.io/round_1_index_2': '{"configuration":"cfg","webhook":"wh.example.com","mutated":false}',
    'failed-open.mutation.webhook.admission.k8s.io/round_1_index_2': 'wh.example.com',
  });
  validatingFailedOpen(ctx, 'v.example.com', 3);
  assert.equal(ctx.auditAnnotations!.get('failed-open.validating.webhook.admission.k8s.io/round_0_index_3'), 'v.example.com');
});
