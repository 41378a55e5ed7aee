/**
 * The pure pieces of custom resource serving: CEL rules (compilation errors, cost limits, transition
 * rules, messageExpression, reason and fieldPath), structural validation messages and JSONPath, as
 * apiextensions-apiserver's schema/cel and kube-openapi's validator word them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from '../status.js';
import { compileRules, evaluateRules, STATIC_ESTIMATED_COST_LIMIT } from './cel-rules.js';
import { evalJsonPath, parseJsonPath } from './jsonpath.js';
import { checkStructural, validateValue, type JSONSchemaProps } from './structural.js';

const messages = (errs: { field: string; detail: string; type: string }[]) => errs.map((e) => formatFieldError(e as never));

test('CEL: a rule that does not compile is refused at its path in the CRD', () => {
  const { errors } = compileRules({ type: 'object', 'x-kubernetes-validations': [{ rule: 'self.a >' }] }, 'spec.versions[0].schema.openAPIV3Schema');
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.field, 'spec.versions[0].schema.openAPIV3Schema.x-kubernetes-validations[0].rule');
  assert.match(errors[0]!.detail, /^Invalid value: "self.a >": compilation failed: /);
});

test('CEL: a rule iterating over an unbounded list inside an unbounded list exceeds the static cost limit; maxItems brings it within', () => {
  const schema = (maxItems?: number): JSONSchemaProps => ({
    type: 'object',
    properties: {
      rows: {
        type: 'array', ...(maxItems ? { maxItems } : {}),
        items: { type: 'array', ...(maxItems ? { maxItems } : {}), items: { type: 'string', maxLength: 10 }, 'x-kubernetes-validations': [{ rule: 'self.all(x, x.size() < 5)' }] },
      },
    },
  });
  // as apiextensions validation.go: the rule over its per-object count, the rules contributing most
  // to the CRD's total, then the total at openAPIV3Schema
  const at = 'spec.versions[0].schema.openAPIV3Schema';
  const unbounded = compileRules(schema(), at);
  const hint = '(try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)';
  assert.deepEqual(messages(unbounded.errors), [
    `${at}.properties[rows].items.x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x ${hint}`,
    `${at}.properties[rows].items.x-kubernetes-validations[0].rule: Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema`,
    `${at}: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of more than 100x ${hint}`,
  ]);
  assert.deepEqual(compileRules(schema(100), '').errors, []);
  assert.ok(STATIC_ESTIMATED_COST_LIMIT === 10_000_000);
});

test('CEL: messageExpression, reason and fieldPath place and word the error; transition rules only run with an old value', () => {
  const schema: JSONSchemaProps = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: { replicas: { type: 'integer' }, name: { type: 'string' } },
        'x-kubernetes-validations': [
          { rule: 'self.replicas < 10', messageExpression: "'too many: %d'.format([self.replicas])" },
          { rule: 'self.replicas >= oldSelf.replicas', message: 'may not shrink', reason: 'FieldValueForbidden', fieldPath: '.replicas' },
          { rule: 'self.name != "x"', message: 'bad name', messageExpression: 'self.nope.size()' },
        ],
      },
    },
  };
  const { tree, errors } = compileRules(schema, '');
  assert.deepEqual(errors, []);
  const create = evaluateRules(tree!, { spec: { replicas: 12, name: 'x' } }, undefined, false);
  assert.deepEqual(messages(create), ['spec: Invalid value: "object": too many: 12', 'spec: Invalid value: "object": bad name']);
  const update = evaluateRules(tree!, { spec: { replicas: 3, name: 'y' } }, { spec: { replicas: 5, name: 'y' } }, true);
  assert.deepEqual(messages(update), ['spec.replicas: Forbidden: may not shrink']);
});

test('CEL: optionalOldSelf runs a transition rule on create with oldSelf an empty optional; only on rules using oldSelf', () => {
  const schema = (optionalOldSelf?: boolean, rule = "!oldSelf.hasValue() || self >= oldSelf.value()"): JSONSchemaProps => ({
    type: 'object',
    properties: { n: { type: 'integer', 'x-kubernetes-validations': [{ rule, message: 'may only grow', ...(optionalOldSelf === undefined ? {} : { optionalOldSelf }) }] } },
  });
  const { tree, errors } = compileRules(schema(true), '');
  assert.deepEqual(errors, []);
  assert.deepEqual(evaluateRules(tree!, { n: 1 }, undefined, false), []);
  assert.deepEqual(evaluateRules(tree!, { n: 5 }, { n: 3 }, true), []);
  assert.deepEqual(messages(evaluateRules(tree!, { n: 2 }, { n: 3 }, true)), ['n: Invalid value: "integer": may only grow']);
  // create: a rule on oldSelf that requires a value fails, as upstream (oldSelf.value() of none)
  const strict = compileRules(schema(true, 'self >= oldSelf.value()'), '');
  assert.equal(evaluateRules(strict.tree!, { n: 1 }, undefined, false).length, 1);
  const misplaced = compileRules(schema(false, 'self > 0'), 'schema');
  assert.deepEqual(misplaced.errors.map((e) => `${e.field}: ${e.detail}`), [
    'schema.properties[n].x-kubernetes-validations[0].optionalOldSelf: Invalid value: false: may not be set if oldSelf is not used in rule',
  ]);
});

test('CEL: rules use the Kubernetes libraries (quantity, url, lists, regex, strings, optionals) as real CRDs do', () => {
  const schema: JSONSchemaProps = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          memory: { type: 'string', maxLength: 20 },
          endpoint: { type: 'string', maxLength: 200 },
          ports: { type: 'array', maxItems: 10, items: { type: 'integer' } },
          name: { type: 'string', maxLength: 63 },
        },
        'x-kubernetes-validations': [
          { rule: "isQuantity(self.memory) && quantity(self.memory).isLessThan(quantity('2Gi'))", message: 'memory must be below 2Gi' },
          { rule: "isURL(self.endpoint) && url(self.endpoint).getScheme() == 'https'", messageExpression: "'endpoint host %s is not https'.format([url(self.endpoint).getHost()])" },
          { rule: 'self.ports.isSorted() && self.ports.sum() < 70000', message: 'ports must be sorted' },
          { rule: "self.name.lowerAscii() == self.name && self.name.replace('-', '').find('[^a-z0-9]') == ''", message: 'bad name' },
          { rule: "self.?mode.orValue('auto') in ['auto', 'manual']", message: 'bad mode' },
        ],
      },
    },
  };
  const { tree, errors } = compileRules(schema, '');
  assert.deepEqual(errors, []);
  const ok = { spec: { memory: '512Mi', endpoint: 'https://example.com:8443/x', ports: [80, 443], name: 'web-1' } };
  assert.deepEqual(evaluateRules(tree!, ok, undefined, false), []);
  const bad = { spec: { memory: '3Gi', endpoint: 'http://example.com:8080/', ports: [443, 80], name: 'Web_1', mode: 'x' } };
  assert.deepEqual(messages(evaluateRules(tree!, bad, undefined, false)), [
    'spec: Invalid value: "object": memory must be below 2Gi',
    'spec: Invalid value: "object": endpoint host example.com:8080 is not https',
    'spec: Invalid value: "object": ports must be sorted',
    'spec: Invalid value: "object": bad name',
    'spec: Invalid value: "object": bad mode',
  ]);
  // a rule that fails to evaluate is reported as upstream words it
  const missing = compileRules({ type: 'object', properties: { spec: { type: 'object', properties: { a: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'self.nope == 1' }] } } }, '');
  assert.deepEqual(messages(evaluateRules(missing.tree!, { spec: { a: 1 } }, undefined, false)), ['spec: Invalid value: "object": no such key: nope evaluating rule: self.nope == 1']);
  const notBool = compileRules({ type: 'string', 'x-kubernetes-validations': [{ rule: 'self.upperAscii()' }] }, 'schema');
  assert.match(notBool.errors[0]!.detail, /compilation failed: cel expression must evaluate to a bool/);
});

test('CEL: at run time a rule may cost PerCallLimit and an object RuntimeCELCostBudget, counted in cel-go units', () => {
  // within the static estimate (bounded lists), but 1000 x 400 elements cost more than 1,000,000 to walk
  const nested: JSONSchemaProps = {
    type: 'object',
    properties: { rows: { type: 'array', maxItems: 1000, items: { type: 'array', maxItems: 1000, items: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'self.all(r, r.all(c, c > 0))' }] } },
  };
  const n = compileRules(nested, '');
  assert.deepEqual(n.errors, []);
  const rows = (k: number) => Array.from({ length: k }, () => Array.from({ length: 400 }, () => 1));
  assert.deepEqual(evaluateRules(n.tree!, { rows: rows(100) }, undefined, false), []);
  assert.deepEqual(messages(evaluateRules(n.tree!, { rows: rows(1000) }, undefined, false)), [
    "rows: Invalid value: \"array\": 'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: self.all(r, r.all(c, c > 0))",
  ]);
  // five rules per item, each within the static estimate (12 items x (ceil(100,001 x 0.1) x ceil(320 x
  // 0.25) + 1) = 9,600,972: maxLength counts 4 bytes a character), each costing ceil(25,001 x 0.1) x 80
  // = 200,080 at run time on 25,000 characters: the 10th item runs out of the 10,000,000
  const pattern = 'a?'.repeat(160);
  const rules = [...Array.from({ length: 5 }, () => ({ rule: `self.matches('${pattern}')` })), { rule: 'self.size() > 0' }];
  const perItem: JSONSchemaProps = {
    type: 'object',
    properties: { items: { type: 'array', maxItems: 12, items: { type: 'string', maxLength: 25_000, 'x-kubernetes-validations': rules } } },
  };
  const p = compileRules(perItem, '');
  assert.deepEqual(p.errors, []);
  const items = Array.from({ length: 12 }, () => 'b'.repeat(25_000));
  assert.deepEqual(messages(evaluateRules(p.tree!, { items }, undefined, false)), [
    'items[9]: Invalid value: "string": validation failed due to running out of cost budget, no further validation rules will be run',
  ]);
  assert.deepEqual(evaluateRules(p.tree!, { items: items.slice(0, 9) }, undefined, false), []);
});

test('structural validation: upstream wording for types, bounds, patterns, enums and required fields', () => {
  const s: JSONSchemaProps = {
    type: 'object', required: ['name'],
    properties: {
      name: { type: 'string', pattern: '^[a-z]+$', maxLength: 5 },
      size: { type: 'integer', minimum: 1, maximum: 3 },
      mode: { type: 'string', enum: ['a', 'b'] },
      items: { type: 'array', maxItems: 1, items: { type: 'integer' } },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
    },
  };
  const errs: never[] = [];
  validateValue(s, { name: 'ABCDEFG', size: 0, mode: 'c', items: [1, 'x'], labels: { a: 1 } }, 'spec', errs);
  assert.deepEqual(messages(errs), [
    'spec.name: Too long: may not be more than 5 bytes',
    "spec.name: Invalid value: \"ABCDEFG\": spec.name in body should match '^[a-z]+$'",
    'spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1',
    'spec.mode: Unsupported value: "c": supported values: "a", "b"',
    'spec.items: Too many: 2: must have at most 1 items',
    'spec.items[1]: Invalid value: "string": spec.items[1] in body must be of type integer: "string"',
    'spec.labels[a]: Invalid value: "integer": spec.labels[a] in body must be of type string: "integer"',
  ]);
  const missing: never[] = [];
  validateValue(s, {}, 'spec', missing);
  assert.deepEqual(messages(missing), ['spec.name: Required value']);
});

test('structural schema: every specified node needs a type, list-map keys must be item properties', () => {
  const errs = checkStructural({
    type: 'object',
    properties: { a: { description: 'no type' }, b: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: {} } } },
  }, 'schema');
  assert.deepEqual(errs.map((e) => e.field), ['schema.properties[a].type', 'schema.properties[b].x-kubernetes-list-map-keys']);
});

test('JSONPath as printer columns use it: fields, indexes, wildcards and filters', () => {
  const obj = { status: { conditions: [{ type: 'Issuing', status: 'False' }, { type: 'Ready', status: 'True' }] }, metadata: { annotations: { 'a.b/c': 'x' } }, spec: { list: [1, 2, 3] } };
  assert.deepEqual(evalJsonPath(parseJsonPath('.status.conditions[?(@.type=="Ready")].status'), obj), ['True']);
  assert.deepEqual(evalJsonPath(parseJsonPath('{.spec.list[-1]}'), obj), [3]);
  assert.deepEqual(evalJsonPath(parseJsonPath('.status.conditions[*].type'), obj), ['Issuing', 'Ready']);
  assert.deepEqual(evalJsonPath(parseJsonPath('.metadata.annotations.a\\.b/c'), obj), ['x']);
  assert.deepEqual(evalJsonPath(parseJsonPath('.spec.missing.deeper'), obj), []);
  assert.throws(() => parseJsonPath('.spec[?(@.a ~ 1)]'), /unsupported filter/);
});
