/**
 * The static cost estimate of x-kubernetes-validations rules against upstream's own expected numbers:
 * every case of apiextensions-apiserver's pkg/apiserver/schema/cel/compilation_test.go
 * TestCostEstimation that our CEL environment can express (same schemas, same rules; each is checked
 * once without limits — sizes derived from the 3 MiB request — and once with maxItems /
 * maxProperties / maxLength set). The numbers are upstream's CompilationResult.MaxCost. Then the
 * CRD-level checks of apiextensions validation.go: per-object cardinality, the per-expression and
 * whole-schema limits, their messages and paths.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CelEnvironment } from '../cel/environment.js';
import { formatFieldError } from '../status.js';
import { schemaDeclType } from './cel-decl-type.js';
import { costErrorMessage, estimateRuleCost } from './cel-cost.js';
import { compileRules } from './cel-rules.js';
import type { JSONSchemaProps } from './structural.js';

const env = new CelEnvironment(['self', 'oldSelf']);

type Gen = (max?: number) => JSONSchemaProps;

/** parseRuleType: duration/date/date-time are formatted strings, int-or-string has no type. */
function scalar(t: string): JSONSchemaProps {
  if (t === 'duration' || t === 'date' || t === 'date-time') return { type: 'string', format: t };
  if (t === 'int-or-string') return { 'x-kubernetes-int-or-string': true };
  return { type: t };
}
const lim = (k: 'maxItems' | 'maxProperties' | 'maxLength', max?: number): JSONSchemaProps => (max === undefined ? {} : { [k]: max });
const objForMap = (): JSONSchemaProps => ({ type: 'object', required: ['required'], properties: { required: { type: 'string' }, optional: { type: 'string' } } });

const array = (t: string): Gen => (max) => ({ type: 'array', items: scalar(t), ...lim('maxItems', max) });
const arrayOfArrays = (t: string): Gen => (max) => ({ type: 'array', items: { type: 'array', items: { type: t } }, ...lim('maxItems', max) });
const objectArray: Gen = (max) => ({ type: 'array', items: objForMap(), ...lim('maxItems', max) });
const mapArray = (t: string): Gen => (max) => ({ type: 'array', items: { type: 'object', additionalProperties: { type: t } }, ...lim('maxItems', max) });
const map = (t: string): Gen => (max) => ({ type: 'object', additionalProperties: scalar(t), ...lim('maxProperties', max) });
const mapOf = (item: JSONSchemaProps): Gen => (max) => ({ type: 'object', additionalProperties: item, ...lim('maxProperties', max) });
const str: Gen = (max) => ({ type: 'string', ...lim('maxLength', max) });
const bytes: Gen = (max) => ({ type: 'string', format: 'byte', ...lim('maxLength', max) });
const enumStr = (...values: string[]): Gen => (max) => ({ type: 'string', enum: values, ...lim('maxLength', max) });
const nestedSpec: Gen = (max) => ({ type: 'object', additionalProperties: { type: 'string', ...lim('maxLength', max) }, ...lim('maxProperties', max) });
const nestedRoot = (all: boolean): Gen => (max) => ({
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: { ...objForMap(), ...(all ? lim('maxProperties', max) : {}) },
    ...lim('maxProperties', max),
  },
  ...(all ? lim('maxItems', max) : {}),
});
const strings = (max?: number): JSONSchemaProps => ({ type: 'string', ...lim('maxLength', max) });
const join: Gen = (max) => ({ type: 'array', items: strings(max), ...lim('maxItems', max) });
const replace: Gen = (max) => ({ type: 'object', properties: { str: strings(max), before: strings(2), after: strings(4) } });
const split: Gen = (max) => ({ type: 'object', properties: { str: strings(max), separator: strings(max) } });

/** [name, schema, rule, cost without limits (0: not checked upstream), the limit set, cost with it]. */
const CASES: [string, Gen, string, number, number, number][] = [
  ['number array with all', array('number'), 'self.all(x, true)', 4718591, 10, 32],
  ['string array with all', array('string'), 'self.all(x, true)', 3145727, 20, 62],
  ['boolean array with all', array('boolean'), 'self.all(x, true)', 1887437, 5, 17],
  ['array of number arrays with all', arrayOfArrays('number'), 'self.all(x, true)', 3145727, 100, 302],
  ['array of objects with all', objectArray, 'self.all(x, true)', 555128, 50, 152],
  ['map of numbers with all', map('number'), 'self.all(x, true)', 1348169, 10, 32],
  ['map of strings with all', map('string'), 'self.all(x, true)', 1179647, 3, 11],
  ['map of booleans with all', map('boolean'), 'self.all(x, true)', 943718, 100, 302],
  ['string with contains', str, "self.contains('test')", 314574, 10, 5],
  ['string with startsWith', str, "self.startsWith('test')", 2, 15, 2],
  ['string with endsWith', str, "self.endsWith('test')", 2, 30, 2],
  ['concat string', str, 'size(self + "hello") > size("hello")', 314578, 4, 7],
  ['index of array with numbers', array('number'), 'self[1] == 0.0', 2, 5000, 2],
  ['index of array with strings', array('string'), 'self[1] == self[1]', 314577, 8, 314577],
  ['O(n^2) loop with numbers', array('number'), 'self.all(x, self.all(y, true))', 0, 10, 352],
  ['O(n^3) loop with numbers', array('number'), 'self.all(x, self.all(y, self.all(z, true)))', 0, 10, 3552],
  ['regex matches simple', str, 'self.matches("x")', 314574, 50, 22],
  ['regex matches empty string', str, '"".matches("(((((((((())))))))))[0-9]")', 7, 10, 7],
  ['regex matches empty regex', str, 'self.matches("")', 1, 100, 1],
  ['map of strings with value length', nestedSpec, 'self.all(x, x.contains(self[x]))', 2752507, 10, 72],
  ['set array maxLength to zero', array('number'), 'self[3] == 0.0', 2, 0, 2],
  ['set map maxLength to zero', map('number'), 'self["x"] == 0.0', 2, 0, 2],
  ['set string maxLength to zero', str, 'self == "x"', 2, 0, 1],
  ['set bytes maxLength to zero', bytes, 'self == b"x"', 2, 0, 1],
  ['set maxLength greater than estimated maxLength', array('number'), 'self.all(x, x == 0.0)', 6291454, 3 * 1024 * 2048, 25165826],
  ['nested types with root rule with all supporting maxLength', nestedRoot(true), 'self.all(x, x["y"].required == "z")', 7340027, 10, 72],
  ['nested types with root rule with one supporting maxLength', nestedRoot(false), 'self.all(x, x["y"].required == "z")', 7340027, 10, 7340027],
  ['int-or-string array with all', array('int-or-string'), 'self.all(x, true)', 4718591, 10, 32],
  ['index of array with int-or-strings', array('int-or-string'), 'self[0] == 5', 3, 10, 3],
  ['index of array with booleans', array('boolean'), 'self[0] == false', 2, 25, 2],
  ['index of array of objects', objectArray, 'self[0] == null', 2, 422, 2],
  ['index of array of array of numnbers', arrayOfArrays('number'), 'self[0][0] == -1.0', 3, 51, 3],
  ['array of number maps with all', mapArray('number'), 'self.all(x, x.y == 25.2)', 6291452, 12, 74],
  ['index of array of number maps', mapArray('number'), 'self[0].x > 2.0', 4, 3000, 4],
  ['duration array with all', array('duration'), 'self.all(x, true)', 2359295, 5, 17],
  ['index of duration array', array('duration'), 'self[0].getHours() == 2', 4, 525, 4],
  ['date array with all', array('date'), 'self.all(x, true)', 725936, 15, 47],
  ['index of date array', array('date'), 'self[2].getDayOfMonth() == 13', 4, 42, 4],
  ['date-time array with all', array('date-time'), 'self.all(x, true)', 428963, 25, 77],
  ['index of date-time array', array('date-time'), 'self[2].getMinutes() == 45', 4, 99, 4],
  ['map of int-or-strings with all', map('int-or-string'), 'self.all(x, true)', 1348169, 15, 47],
  ['map of objects with all', mapOf(objForMap()), 'self.all(x, true)', 428963, 20, 62],
  ['map of number maps with all', mapOf({ type: 'object', additionalProperties: { type: 'number' } }), 'self.all(x, true)', 1179647, 10, 32],
  ['map of number arrays with all', mapOf({ type: 'array', items: { type: 'number' } }), 'self.all(x, true)', 1179647, 25, 77],
  ['map of durations with all', map('duration'), 'self.all(x, true)', 1048577, 5, 17],
  ['map of dates with all', map('date'), 'self.all(x, true)', 524288, 10, 32],
  ['map of date-times with all', map('date-time'), 'self.all(x, true)', 349526, 25, 77],
  ['extended library regex find', str, "self.find('[0-9]+') == ''", 629147, 10, 11],
  ['extended library join', join, "self.join(' ') == 'aa bb'", 329853068905, 10, 43],
  ['extended library isSorted', join, 'self.isSorted() == true', 329854432052, 10, 52],
  ['extended library replace', replace, "self.str.replace(self.before, self.after) == 'does not matter'", 629154, 4, 12],
  ['extended library split', split, 'self.str.split(self.separator) == []', 629160, 10, 22],
  ['extended library lowerAscii', str, "self.lowerAscii() == 'lower!'", 314575, 10, 6],
  ['check cost of size call', map('integer'), 'oldSelf.size() == self.size()', 5, 10, 5],
  ['check cost of timestamp comparison', map('date-time'), 'self["a"] == self["b"]', 8, 7, 8],
  ['check cost of duration comparison', map('duration'), 'self["c"] == self["d"]', 8, 42, 8],
  ['enums with maxLength equals to the longest possible value', enumStr('A', 'B', 'C', 'LongValue'), "self.contains('A')", 2, 1000, 401],
];

function cost(schema: JSONSchemaProps, rule: string): number {
  const t = schemaDeclType(schema, false);
  assert.ok(t, 'schema has a CEL type');
  return estimateRuleCost(env.compile(rule).ast, t, false);
}

describe('CEL static cost estimate (upstream compilation_test.go TestCostEstimation)', () => {
  for (const [name, gen, rule, calc, setMax, setCost] of CASES) {
    it(name, () => {
      if (calc > 0) assert.equal(cost(gen(), rule), calc, `${rule} without limits`);
      else assert.ok(cost(gen(), rule) > 1_000_000, `${rule} without limits exceeds PerCallLimit`);
      assert.equal(cost(gen(setMax), rule), setCost, `${rule} with limits of ${setMax}`);
    });
  }
});

const AT = 'spec.versions[0].schema.openAPIV3Schema';
const HINT = '(try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)';
const messages = (s: JSONSchemaProps): string[] => compileRules(s, AT).errors.map((e) => formatFieldError(e as never));

describe('CEL cost limits at CRD creation (apiextensions validation.go)', () => {
  it('words the factor as getCostErrorMessage: %f below 1.5x, %.1f up to 100x, then "more than 100x"', () => {
    assert.equal(costErrorMessage('estimated rule cost', 13_440_830, 10_000_000), `estimated rule cost exceeds budget by factor of 1.344083x ${HINT}`);
    assert.equal(costErrorMessage('estimated rule cost', 25_000_000, 10_000_000), `estimated rule cost exceeds budget by factor of 2.5x ${HINT}`);
    assert.equal(costErrorMessage('estimated rule cost', 1_000_000_001, 10_000_000), `estimated rule cost exceeds budget by factor of more than 100x ${HINT}`);
  });

  it('multiplies a rule by the maxItems/maxProperties above it, or by maxCardinality under an unbounded list', () => {
    // self.all(x, true) over 10 numbers costs 32 (as TestCostEstimation); nested in lists of 1000 x 400
    // it runs 400,000 times: 12,800,000 > 10,000,000 by a factor of 1.28
    const inner = { type: 'array', maxItems: 10, items: { type: 'number' }, 'x-kubernetes-validations': [{ rule: 'self.all(x, true)' }] } as JSONSchemaProps;
    const nested = (outer: number): JSONSchemaProps => ({ type: 'object', properties: { a: { type: 'array', maxItems: 1000, items: { type: 'array', maxItems: outer, items: inner } } } });
    assert.deepEqual(messages(nested(400)), [
      `${AT}.properties[a].items.items.x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds budget by factor of 1.280000x ${HINT}`,
    ]);
    assert.deepEqual(messages(nested(300)), []);
    // under an unbounded list: 3 MiB / (2 + 1) lists of at least `[]` -> 1,048,576 x 32 = 33,554,432
    const unbounded: JSONSchemaProps = { type: 'object', properties: { a: { type: 'array', items: inner } } };
    assert.deepEqual(messages(unbounded), [
      `${AT}.properties[a].items.x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds budget by factor of 3.4x ${HINT}`,
    ]);
  });

  it('refuses the schema past StaticEstimatedCRDCostLimit, naming the expensive rules (upstream "cost total exceeds total limit")', () => {
    // the case of upstream's validation tests (as cluster-api's port of them keeps it): an unbounded
    // list of long strings costs more than 100x; a bounded map of strings stays within its own limit
    // (10,000 x 821) but still contributes 1% or more of the total; the integer rule is too cheap to name
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: {
        array: { type: 'array', items: { type: 'string', maxLength: 500000, 'x-kubernetes-validations': [{ rule: "self.contains('keyword')" }] } },
        map: { type: 'object', maxProperties: 10000, additionalProperties: { type: 'string', maxLength: 2048, 'x-kubernetes-validations': [{ rule: "self.contains('keyword')" }] } },
        field: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self > 50 && self < 100' }] },
      },
    };
    assert.deepEqual(messages(schema), [
      `${AT}.properties[array].items.x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x ${HINT}`,
      `${AT}.properties[array].items.x-kubernetes-validations[0].rule: Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema`,
      `${AT}.properties[map].additionalProperties.x-kubernetes-validations[0].rule: Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema`,
      `${AT}: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of more than 100x ${HINT}`,
    ]);
  });

  it("refuses a messageExpression concatenating string() of a value: its size is unbounded (upstream's case, and kube-apiserver's output)", () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: {
        array: { type: 'array', items: { type: 'string', maxLength: 500000, 'x-kubernetes-validations': [{ rule: 'true', messageExpression: "'contains: ' + string(self.contains('keyword'))" }] } },
        field: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self > 50 && self < 100', messageExpression: "'Expected integer to be between 50 and 100, got %d'.format([self])" }] },
      },
    };
    const at = `${AT}.properties[array].items.x-kubernetes-validations[0].messageExpression`;
    assert.deepEqual(messages(schema), [
      `${at}: Forbidden: estimated messageExpression cost exceeds budget by factor of more than 100x ${HINT}`,
      `${at}: Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema`,
      `${AT}: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of more than 100x ${HINT}`,
    ]);
  });

  it('sees apiVersion, kind and metadata.name at the resource root, sized as unbounded strings', () => {
    // metadata.name: 3 MiB - 2 characters; == with a 3-character literal traverses 3: ceil(0.3) = 1
    const root = schemaDeclType({ type: 'object', properties: { spec: { type: 'object' } } }, true)!;
    assert.equal(estimateRuleCost(env.compile("self.metadata.name == 'abc'").ast, root, false), 4);
    assert.equal(estimateRuleCost(env.compile("self.metadata.name.startsWith('abc')").ast, root, false), 4);
    assert.equal(estimateRuleCost(env.compile("self.metadata.name.contains('abc')").ast, root, false), 314576);
  });

  it("accepts Gateway API's parentRefs rules (O(n^2) over maxItems 32, reserved word `namespace` as __namespace__); refuses them unbounded", () => {
    // from kubernetes-sigs/gateway-api config/crd/standard/gateway.networking.k8s.io_httproutes.yaml,
    // which kube-apiserver accepts; Gateway API bounds parentRefs by maxItems for this very estimate
    const str = (maxLength: number, def?: string): JSONSchemaProps => ({ type: 'string', maxLength, ...(def ? { default: def } : {}) });
    const same = "p1.group == p2.group && p1.kind == p2.kind && p1.name == p2.name && (((!has(p1.__namespace__) || p1.__namespace__ == '') && (!has(p2.__namespace__) || p2.__namespace__ == '')) || (has(p1.__namespace__) && has(p2.__namespace__) && p1.__namespace__ == p2.__namespace__ ))";
    const parentRefs = (maxItems?: number): JSONSchemaProps => ({
      type: 'array', ...(maxItems ? { maxItems } : {}), 'x-kubernetes-list-type': 'atomic',
      items: {
        type: 'object', required: ['name'],
        properties: { group: str(253, 'gateway.networking.k8s.io'), kind: str(63, 'Gateway'), name: str(253), namespace: str(63), port: { type: 'integer', format: 'int32' }, sectionName: str(253) },
      },
      'x-kubernetes-validations': [
        { rule: `self.all(p1, self.all(p2, ${same} ? ((!has(p1.sectionName) || p1.sectionName == '') == (!has(p2.sectionName) || p2.sectionName == '')) : true))` },
        { rule: `self.all(p1, self.exists_one(p2, ${same} && (((!has(p1.sectionName) || p1.sectionName == '') && (!has(p2.sectionName) || p2.sectionName == '')) || (has(p1.sectionName) && has(p2.sectionName) && p1.sectionName == p2.sectionName))))` },
      ],
    });
    const spec = (maxItems?: number): JSONSchemaProps => ({ type: 'object', properties: { spec: { type: 'object', properties: { parentRefs: parentRefs(maxItems) } } } });
    assert.deepEqual(messages(spec(32)), []);
    const refused = messages(spec());
    assert.equal(refused.length, 5, refused.join('\n'));
    assert.match(refused[0]!, /properties\[parentRefs\]\.x-kubernetes-validations\[0\]\.rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x/);
  });

  it('prices contains() as the product of both strings, as a real API server measured it (5.4x at 20 x 4096 x 4096)', () => {
    // a design review's probe against envtest's kube-apiserver: 20 cases, a 4096-character message and
    // 4096-character expectations, `contains` on each case: "exceeds budget by factor of 5.4x" (with or
    // without the has() guards); message 1024 / expectations 1024, or 4096 / 512, install
    const text = (maxLength: number): JSONSchemaProps => ({ type: 'string', maxLength });
    const suite = (message: number, expect: number, rule: string): JSONSchemaProps => ({
      type: 'object',
      properties: {
        cases: {
          type: 'array', maxItems: 20,
          items: {
            type: 'object',
            properties: { message: text(message), expect: { type: 'object', properties: { contains: text(expect), equals: text(expect) } } },
            'x-kubernetes-validations': [{ rule }],
          },
        },
      },
    });
    const bare = '!self.message.contains(self.expect.contains) && self.message != self.expect.equals';
    const guarded = '(!has(self.expect.contains) || !self.message.contains(self.expect.contains)) && (!has(self.expect.equals) || self.message != self.expect.equals)';
    for (const rule of [bare, guarded]) {
      assert.deepEqual(messages(suite(4096, 4096, rule)), [
        `${AT}.properties[cases].items.x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds budget by factor of 5.4x ${HINT}`,
      ]);
      assert.deepEqual(messages(suite(1024, 1024, rule)), []);
      assert.deepEqual(messages(suite(4096, 512, rule)), []);
    }
  });
});
