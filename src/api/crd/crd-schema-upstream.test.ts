/**
 * A CRD schema's structural invariants and the string formats of custom objects, worded and placed as
 * apiextensions-apiserver 1.32 (pkg/apiserver/schema/validation.go, apis/apiextensions/validation,
 * kube-openapi strfmt.Default).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from '../status.js';
import { customResourceDefinitions, type CustomResourceDefinition } from '../kinds/apiextensions/custom-resource-definition.js';
import { customDefinition } from './custom-definition.js';
import { compileRules, evaluateRules } from './cel-rules.js';
import { failsFormat } from './formats.js';
import { checkStructural, validateValue, type JSONSchemaProps } from './structural.js';

const messages = (errs: { field: string; detail: string; type: string }[]) => errs.map((e) => formatFieldError(e as never));

test('structural schema: embedded resources, int-or-string, root metadata, value validations and extension values, sorted as upstream', () => {
  const schema = {
    type: 'object',
    properties: {
      spec: { properties: { a: { type: 'string' } } },
      metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 5 }, labels: { type: 'object' } } },
      emb: { type: 'string', 'x-kubernetes-embedded-resource': true },
      bare: { type: 'object', 'x-kubernetes-embedded-resource': true },
      ios: { 'x-kubernetes-int-or-string': true, 'x-kubernetes-preserve-unknown-fields': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
      any: { type: 'integer', anyOf: [{ type: 'integer', description: 'not here' }] },
      keep: { type: 'string', 'x-kubernetes-preserve-unknown-fields': false },
      keys: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set', 'x-kubernetes-list-map-keys': ['a'] },
      both: { type: 'object', additionalProperties: false, properties: { a: { type: 'string' } } },
      list: { items: { type: 'string' }, 'x-kubernetes-list-type': 'atomic' },
    },
  } as unknown as JSONSchemaProps;
  const at = 'spec.versions[0].schema.openAPIV3Schema';
  assert.deepEqual(messages(checkStructural(schema, at)), [
    // ValidateStructural, sorted by message
    `${at}.properties[any].anyOf[0].description: Forbidden: must be empty to be structural`,
    `${at}.properties[any].anyOf[0].type: Forbidden: must be empty to be structural`,
    `${at}.properties[bare].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields`,
    `${at}.properties[emb].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields`,
    `${at}.properties[emb].type: Invalid value: "string": must be object if x-kubernetes-embedded-resource is true`,
    `${at}.properties[ios].x-kubernetes-preserve-unknown-fields: Invalid value: true: must be false if x-kubernetes-int-or-string is true`,
    `${at}.properties[list].type: Required value: must not be empty for specified object fields`,
    `${at}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`,
    `${at}.properties[spec].type: Required value: must not be empty for specified object fields`,
    // then the OpenAPI schema rules, in schema order
    `${at}.properties[keep].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined`,
    `${at}.properties[keys].x-kubernetes-list-type: Invalid value: "set": must be map if x-kubernetes-list-map-keys is non-empty`,
    `${at}.properties[both].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
    `${at}.properties[list].type: Required value: must be array if x-kubernetes-list-type is specified`,
  ]);
});

test('structural schema: the allowed shapes pass (metadata naming only name/generateName, int-or-string anyOf, embedded objects that keep fields)', () => {
  const ok: JSONSchemaProps = {
    type: 'object',
    properties: {
      metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 20 }, generateName: { type: 'string' } } },
      port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
      template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      hosts: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
    },
  };
  assert.deepEqual(checkStructural(ok, 's'), []);
  assert.deepEqual(messages(checkStructural({ type: 'object', additionalProperties: { type: 'string' } }, 's')), ['s.additionalProperties: Forbidden: must not be used at the root']);
  assert.deepEqual(messages(checkStructural({} as JSONSchemaProps, 's')), ['s.type: Required value: must not be empty at the root']);
  assert.deepEqual(messages(checkStructural({ type: 'object', properties: { l: { type: 'array', items: {} } } }, 's')), ['s.properties[l].items.type: Required value: must not be empty for specified array items']);
});

test('custom objects: string formats of strfmt.Default fail as kube-openapi words them; unknown formats are not checked', () => {
  const s: JSONSchemaProps = {
    type: 'object',
    properties: Object.fromEntries(['ipv4', 'ipv6', 'cidr', 'mac', 'uuid', 'hostname', 'email', 'byte', 'date', 'date-time', 'made-up'].map((f) => [f.replace('-', ''), { type: 'string', format: f }])),
  };
  const errs: never[] = [];
  validateValue(s, { ipv4: '1.2.3', ipv6: '1.2.3.4', cidr: '10.0.0.0/33', mac: '00:11:22', uuid: 'x', hostname: '-a', email: 'nope', byte: 'a', date: '2021-02-30', datetime: '2021-02-03 10:00:00', madeup: '?' }, 'spec', errs);
  assert.deepEqual(messages(errs), [
    'spec.ipv4: Invalid value: "1.2.3": spec.ipv4 in body must be of type ipv4: "1.2.3"',
    'spec.ipv6: Invalid value: "1.2.3.4": spec.ipv6 in body must be of type ipv6: "1.2.3.4"',
    'spec.cidr: Invalid value: "10.0.0.0/33": spec.cidr in body must be of type cidr: "10.0.0.0/33"',
    'spec.mac: Invalid value: "00:11:22": spec.mac in body must be of type mac: "00:11:22"',
    'spec.uuid: Invalid value: "x": spec.uuid in body must be of type uuid: "x"',
    'spec.hostname: Invalid value: "-a": spec.hostname in body must be of type hostname: "-a"',
    'spec.email: Invalid value: "nope": spec.email in body must be of type email: "nope"',
    'spec.byte: Invalid value: "a": spec.byte in body must be of type byte: "a"',
    'spec.date: Invalid value: "2021-02-30": spec.date in body must be of type date: "2021-02-30"',
    'spec.datetime: Invalid value: "2021-02-03 10:00:00": spec.datetime in body must be of type date-time: "2021-02-03 10:00:00"',
  ]);
  assert.equal((errs[0] as { type: string }).type, 'FieldValueTypeInvalid');
  const good: never[] = [];
  validateValue(s, { ipv4: '10.1.2.3', ipv6: 'fd00::1', cidr: 'fd00::/64', mac: '00:11:22:aa:bb:cc', uuid: '123e4567-e89b-12d3-a456-426614174000', hostname: 'a.example.com', email: 'Ann <ann@example.com>', byte: 'aGk=', date: '2024-02-29', datetime: '2021-02-03T10:00:00.5+01:00', madeup: '?' }, 'spec', good);
  assert.deepEqual(messages(good), []);
  // strfmt.IsDateTime wants seconds and a zone; Date.parse would take all of these
  for (const v of ['2021-02-03', '2021-02-03T10:00Z', '2021-02-03T10:00:00', 'Feb 3 2021']) assert.ok(failsFormat('date-time', v), v);
  assert.ok(!failsFormat('datetime', '2021-02-03t10:00:00z'));
});

test('Go regexp patterns: flag groups, named groups, \\A \\z, \\pL, \\Q..\\E, POSIX classes and escaped punctuation run as Go runs them', () => {
  const cases: [string, string[], string[]][] = [
    // prometheus-operator's PrometheusRule and AlertmanagerConfig patterns
    ['^(?i)(abort|warn)?$', ['', 'WARN', 'Abort'], ['nope']],
    ['^((?i)january|february|1[0-2]|[1-9])(?:((:((?i)january|february|1[0-2]|[1-9]))$)|$)', ['JANUARY', 'February:12', '3'], ['13', 'march']],
    ['^a(?i)b(?-i)c$', ['aBc'], ['ABc', 'aBC']],
    ['^(?P<k>[a-z]+)=\\d+$', ['a=1'], ['a=x']],
    ['\\Aab\\z', ['ab'], ['ab\n', 'xab']],
    ['^\\pL+$', ['été'], ['e1']],
    ['^\\Q1+1\\E=2$', ['1+1=2'], ['11=2']],
    ['^[[:alpha:]_]+\\-\\d$', ['ab_-1'], ['a1-1']],
    ['^[]a]+$', [']a]'], ['b']],
  ];
  for (const [pattern, good, bad] of cases) {
    const s: JSONSchemaProps = { type: 'object', properties: { v: { type: 'string', pattern } } };
    assert.deepEqual(checkStructural(s, 's'), [], pattern);
    for (const v of good) {
      const errs: never[] = [];
      validateValue(s, { v }, 'spec', errs);
      assert.deepEqual(errs, [], `${pattern} should match ${JSON.stringify(v)}`);
    }
    for (const v of bad) {
      const errs: never[] = [];
      validateValue(s, { v }, 'spec', errs);
      assert.deepEqual(messages(errs), [`spec.v: Invalid value: ${JSON.stringify(v)}: spec.v in body should match '${pattern}'`]);
    }
  }
  for (const bad of ['(a', 'a)', '[a', '(?U)a', '[[:^alpha:]]']) {
    const errs = checkStructural({ type: 'object', properties: { v: { type: 'string', pattern: bad } } }, 's');
    assert.equal(errs.length, 1, bad);
    assert.match(messages(errs)[0]!, /^s\.properties\[v\]\.pattern: Invalid value: .*: must be a valid regular expression, but isn't: /);
  }
});

test('custom objects: a blocking error (type, required, enum, too long, too many) replaces the CEL rules by upstream\'s fieldless note; others let them run', () => {
  const schema: JSONSchemaProps = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          mode: { type: 'string', enum: ['a', 'b'] }, replicas: { type: 'integer', maximum: 5 },
          template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
        },
        'x-kubernetes-validations': [{ rule: 'self.replicas < 3', message: 'too many' }],
      },
    },
  };
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'things.example.com' },
    spec: { group: 'example.com', scope: 'Cluster', names: { plural: 'things', kind: 'Thing' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema } }] },
  } as unknown as CustomResourceDefinition;
  const def = customDefinition(crd, crd.spec.versions[0] as never);
  const check = (spec: unknown) => messages(def.validate!({ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'x' }, spec } as never));
  assert.deepEqual(check({ mode: 'c', replicas: 4 }), [
    'spec.mode: Unsupported value: "c": supported values: "a", "b"',
    '<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
  ]);
  // an Invalid error (maximum) does not block: the rule runs too
  assert.deepEqual(check({ replicas: 9 }), ['spec.replicas: Invalid value: 9: spec.replicas in body should be less than or equal to 5', 'spec: Invalid value: "object": too many']);
  assert.deepEqual(check({ replicas: 4 }), ['spec: Invalid value: "object": too many']);
  // an embedded resource names its apiVersion and kind (objectmeta.validateEmbeddedResource)
  assert.deepEqual(check({ replicas: 1, template: { kind: '', spec: {} } }), [
    'spec.template.apiVersion: Required value: must not be empty',
    'spec.template.kind: Invalid value: "": must not be empty',
    '<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
  ]);
  assert.deepEqual(check({ replicas: 1, template: { apiVersion: 'v1', kind: 'Pod' } }), []);
});

test('list types: a repeated set item or map key is reported once, at its first repeat, with Go\'s %#v of the value; object order does not matter', () => {
  const s: JSONSchemaProps = {
    type: 'object',
    properties: {
      tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
      objs: { type: 'array', items: { type: 'object', 'x-kubernetes-map-type': 'atomic', properties: { a: { type: 'integer' }, b: { type: 'integer' } } }, 'x-kubernetes-list-type': 'set' },
      ports: {
        type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['port', 'protocol'],
        items: { type: 'object', properties: { port: { type: 'integer' }, protocol: { type: 'string' }, name: { type: 'string' } } },
      },
      named: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' } } } },
    },
  };
  const errs: never[] = [];
  validateValue(s, {
    tags: ['a', 'a', 'a', 'b', 'b'],
    objs: [{ a: 1, b: 2 }, { b: 2, a: 1 }],
    ports: [{ port: 80, protocol: 'TCP', name: 'x' }, { protocol: 'TCP', port: 80, name: 'y' }, { port: 80 }, { port: 80 }],
    named: [{}, {}, { name: 'n' }, { name: 'n' }],
  }, 'spec', errs);
  assert.deepEqual(messages(errs), [
    'spec.tags[1]: Duplicate value: "a"',
    'spec.tags[4]: Duplicate value: "b"',
    'spec.objs[1]: Duplicate value: map[string]interface {}{"a":1, "b":2}',
    'spec.ports[1]: Duplicate value: map[string]interface {}{"port":80, "protocol":"TCP"}',
    'spec.ports[3]: Duplicate value: map[string]interface {}{"port":80}',
    'spec.named[1]: Duplicate value: map[string]interface {}{}',
    'spec.named[3]: Duplicate value: map[string]interface {}{"name":"n"}',
  ]);
});

test('CRD defaults: each must have no unknown fields and validate against its own schema (ValidateDefaults), before CEL rules are compiled', () => {
  const schema: JSONSchemaProps = {
    type: 'object',
    properties: {
      spec: {
        type: 'object', default: { a: 'x', zz: 1 },
        'x-kubernetes-validations': [{ rule: 'self.a >' }],
        properties: {
          a: { type: 'string', default: 5 },
          n: { type: 'integer', maximum: 3, default: 9 },
          o: { type: 'object', properties: { b: { type: 'string', enum: ['q'] } }, default: { b: 'r' } },
          l: { type: 'array', items: { type: 'string', default: 'fine' }, default: ['a', 1] },
        },
      },
    },
  };
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'things.example.com' },
    spec: { group: 'example.com', scope: 'Cluster', names: { plural: 'things', kind: 'Thing', singular: 'thing', listKind: 'ThingList' }, conversion: { strategy: 'None' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema } }] },
  } as unknown as CustomResourceDefinition;
  const at = 'spec.versions[0].schema.openAPIV3Schema.properties[spec]';
  const got = messages(customResourceDefinitions.validate!(crd) as never);
  // the rule that does not compile is not reached: upstream compiles CEL only once the defaults pass
  assert.deepEqual(got.map((m) => m.replace(/: (<root>|\[\d\]) in body/, ': ~ in body')), [
    `${at}.default: Invalid value: map[string]interface {}{"a":"x", "zz":1}: must not have unknown fields`,
    `${at}.properties[a].default: Invalid value: "integer": ~ in body must be of type string: "integer"`,
    `${at}.properties[n].default: Invalid value: 9: ~ in body should be less than or equal to 3`,
    `${at}.properties[o].default.b: Unsupported value: "r": supported values: "q"`,
    `${at}.properties[l].default[1]: Invalid value: "integer": ~ in body must be of type string: "integer"`,
  ]);
  const fixed = structuredClone(crd);
  const spec = (fixed.spec.versions[0] as { schema: { openAPIV3Schema: JSONSchemaProps } }).schema.openAPIV3Schema.properties!.spec!;
  spec.default = { a: 'x' };
  Object.assign(spec.properties!.a!, { default: 'y' });
  Object.assign(spec.properties!.n!, { default: 2 });
  Object.assign(spec.properties!.o!, { default: { b: 'q' } });
  Object.assign(spec.properties!.l!, { default: ['a'] });
  assert.match(messages(customResourceDefinitions.validate!(fixed) as never).join('\n'), /x-kubernetes-validations\[0\]\.rule: Invalid value: .*compilation failed/);
});

test('CRD updates: a version whose schema is left as stored is not held to schema rules it may predate; a changed schema is', () => {
  const version = (openAPIV3Schema: JSONSchemaProps) => ({ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema } });
  const crd = (openAPIV3Schema: JSONSchemaProps, extra: Record<string, unknown> = {}) => ({
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'things.example.com', ...extra },
    spec: { group: 'example.com', scope: 'Cluster', names: { plural: 'things', kind: 'Thing', singular: 'thing', listKind: 'ThingList' }, conversion: { strategy: 'None' }, versions: [version(openAPIV3Schema)] },
  }) as unknown as CustomResourceDefinition;
  // stored by an older Bosun that did not check defaults
  const stored = crd({ type: 'object', properties: { n: { type: 'integer', default: 'x' } } });
  const v = customResourceDefinitions.validate!;
  assert.equal(v(crd({ type: 'object', properties: { n: { type: 'integer', default: 'x' } } }, { labels: { a: 'b' } }), stored).length, 0);
  assert.equal(v(structuredClone(stored), stored, 'status').length, 0);
  assert.match(messages(v(crd({ type: 'object', properties: { n: { type: 'integer', default: 'y' } } }), stored) as never).join('\n'), /properties\[n\]\.default: Invalid value: "string"/);
  assert.match(messages(v(structuredClone(stored)) as never).join('\n'), /properties\[n\]\.default: Invalid value: "string"/);
});

test('custom objects: a value of the wrong type is also checked against its enum (kube-openapi\'s common validator applies to any type)', () => {
  const s: JSONSchemaProps = { type: 'object', properties: { engine: { type: 'string', enum: ['postgres', 'mysql'] }, level: { type: 'integer', enum: [1, 2] } } };
  const errs: never[] = [];
  validateValue(s, { engine: 123, level: 'high' }, 'spec', errs);
  assert.deepEqual(messages(errs), [
    'spec.engine: Invalid value: "integer": spec.engine in body must be of type string: "integer"',
    'spec.engine: Unsupported value: 123: supported values: "postgres", "mysql"',
    'spec.level: Invalid value: "string": spec.level in body must be of type integer: "string"',
    'spec.level: Unsupported value: "high": supported values: "1", "2"',
  ]);
});

test('CEL rules at CRD creation: malformed entries (no rule, blank or multi-line message, multi-line rule without message) and oldSelf under lists and atomic maps', () => {
  const { errors } = compileRules({
    type: 'object',
    properties: {
      a: { type: 'string', 'x-kubernetes-validations': [{ rule: ' ' }, { rule: 'self != ""', message: '  ' }, { rule: 'self != ""', message: 'a\nb' }, { rule: 'self != ""\n&& true' }] },
      list: { type: 'array', items: { type: 'object', properties: { n: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self >= oldSelf' }] } } } },
      byName: {
        type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'],
        items: { type: 'object', required: ['k'], properties: { k: { type: 'string' }, n: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self >= oldSelf' }] } } },
      },
      atomic: { type: 'object', 'x-kubernetes-map-type': 'atomic', properties: { n: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self == oldSelf' }] } } },
    },
  }, 's');
  assert.deepEqual(messages(errors), [
    's.properties[a].x-kubernetes-validations[0].rule: Required value: rule is not specified',
    's.properties[a].x-kubernetes-validations[1].message: Invalid value: "  ": message must be non-empty if specified',
    's.properties[a].x-kubernetes-validations[2].message: Invalid value: "a\\nb": message must not contain line breaks',
    's.properties[a].x-kubernetes-validations[3].message: Required value: message must be specified if rule contains line breaks',
    's.properties[list].items.properties[n].x-kubernetes-validations[0].rule: Invalid value: "self >= oldSelf": oldSelf cannot be used on the uncorrelatable portion of the schema within s.properties[list]',
    's.properties[atomic].properties[n].x-kubernetes-validations[0].rule: Invalid value: "self == oldSelf": oldSelf cannot be used on the uncorrelatable portion of the schema within s.properties[atomic]',
  ]);
  // a CRD stored before these checks keeps its well-formed rules running beside a malformed one
  const stored = compileRules({ type: 'object', properties: { a: { type: 'string', maxLength: 5, 'x-kubernetes-validations': [{ rule: '' }, { rule: 'self != "x"', message: 'no x' }] } } }, '');
  assert.deepEqual(messages(evaluateRules(stored.tree!, { a: 'x' }, undefined, false)), ['a: Invalid value: "string": no x']);
});
