import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../status.js';
import { labelSelectorString, matchesLabels, parseLabelSelector } from './label-selector.js';
import { formatLabelSelector, labelSelectorFromObject } from './label-selector-object.js';

// From apimachinery labels/selector_test.go (TestSelectorParse, TestSelectorMatches, TestLexer).
test('valid selectors parse and print in upstream canonical form', () => {
  const cases: [string, string][] = [
    ['', ''],
    ['x=a', 'x=a'],
    ['y==b', 'y==b'],
    ['x=a,y!=b', 'x=a,y!=b'],
    ['x=,z= ', 'x=,z='],
    ['x= ,z= ', 'x=,z='],
    ['!x', '!x'],
    ['x', 'x'],
    ['z,!w', '!w,z'],
    ['x>1', 'x>1'],
    ['x>1,z<5', 'x>1,z<5'],
    ['x in (b,a)', 'x in (a,b)'],
    ['x notin (a)', 'x notin (a)'],
    ['x in (a,a)', 'x in (a)'],
    ['  x  in  ( a , b )  ,  y  ', 'x in (a,b),y'],
    ['example.com/app=web', 'example.com/app=web'],
    ['b=1,a=2', 'a=2,b=1'],
  ];
  for (const [input, printed] of cases) {
    const sel = parseLabelSelector(input);
    assert.equal(labelSelectorString(sel), printed, input);
    assert.deepEqual(parseLabelSelector(printed), sel, `${printed} re-parses`);
  }
});

test('invalid selectors are 400 BadRequest with a clear message', () => {
  const cases: [string, RegExp][] = [
    ['x=a||y=b', /unable to parse requirement/],
    ['x==a==b', /found '==', expected: ',' or 'end of string'/],
    ['!x=a', /found '=', expected: ',' or 'end of string'/],
    ['x<a', /must be an integer/],
    ['x>1.5', /must be an integer/],
    ['x in ()', /values set can't be empty/],
    ['x in (a b)', /expected: ',' or '\)'/],
    ['x in a', /expected: '\('/],
    ['x=a,', /found 'EOS', expected: !, identifier/],
    [',x', /expected: !, identifier/],
    ['x y', /expected: in, notin, =, ==, !=, gt, lt/],
    ['x=a b', /expected: ',' or 'end of string'/],
    ['-x=a', /key: Invalid value: "-x"/],
    ['a/b/c=d', /qualified name/],
    [`x=${'a'.repeat(64)}`, /no more than 63 characters/],
    ['x=a$', /a valid label must be an empty string/],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => parseLabelSelector(input), (err: unknown) => {
      assert.ok(err instanceof StatusError, input);
      assert.equal(err.code, 400);
      assert.equal(err.reason, 'BadRequest');
      assert.match(err.message, message, input);
      return true;
    }, input);
  }
});

test('matching follows upstream semantics', () => {
  const labels = { x: 'a', y: 'b', n: '5' };
  const cases: [string, boolean][] = [
    ['', true], ['x=a', true], ['x==a', true], ['x=b', false], ['x!=b', true], ['x!=a', false],
    ['q!=a', true], ['x', true], ['q', false], ['!q', true], ['!x', false],
    ['x in (a,c)', true], ['x in (c)', false], ['q in (a)', false], ['x notin (a)', false], ['q notin (a)', true],
    ['n>4', true], ['n>5', false], ['n<6', true], ['q>1', false], ['x>1', false],
    ['x=a,y=b', true], ['x=a,y=c', false], ['x=', false], ['q=', false],
  ];
  for (const [input, want] of cases) assert.equal(matchesLabels(parseLabelSelector(input), labels), want, input);
  assert.equal(matchesLabels(parseLabelSelector('!x'), undefined), true);
  assert.equal(matchesLabels(parseLabelSelector('x'), undefined), false);
});

test('metav1.LabelSelector objects convert to matchers and strings like upstream', () => {
  const obj = {
    matchLabels: { app: 'web', tier: 'front' },
    matchExpressions: [
      { key: 'env', operator: 'In', values: ['prod', 'dev'] },
      { key: 'canary', operator: 'DoesNotExist' },
      { key: 'zone', operator: 'NotIn', values: ['b'] },
      { key: 'owner', operator: 'Exists' },
    ],
  };
  const sel = labelSelectorFromObject(obj);
  assert.equal(labelSelectorString(sel), 'app=web,!canary,env in (dev,prod),owner,tier=front,zone notin (b)');
  assert.equal(formatLabelSelector(obj), 'app=web,!canary,env in (dev,prod),owner,tier=front,zone notin (b)');
  assert.equal(matchesLabels(sel, { app: 'web', tier: 'front', env: 'prod', owner: 'me' }), true);
  assert.equal(matchesLabels(sel, { app: 'web', tier: 'front', env: 'prod', owner: 'me', canary: '1' }), false);
  assert.equal(matchesLabels(sel, { app: 'web', tier: 'front', env: 'qa', owner: 'me' }), false);
  // nil selects nothing, {} selects everything (metav1.LabelSelectorAsSelector).
  assert.equal(matchesLabels(labelSelectorFromObject(undefined), { a: 'b' }), false);
  assert.equal(matchesLabels(labelSelectorFromObject({}), { a: 'b' }), true);
  assert.equal(formatLabelSelector(undefined), '<none>');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector({ matchLabels: { app: 'web' } }), 'app=web');
  assert.throws(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }), /"Gt" is not a valid label selector operator/);
  assert.throws(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), /values set can't be empty/);
  assert.throws(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }), /must be empty/);
  assert.equal(formatLabelSelector({ matchLabels: { 'bad key!': 'x' } }), '<error>');
});
