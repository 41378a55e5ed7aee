import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { parseDeleteOptions, parseDryRun, parseFieldManager, parseFieldValidation, parseListQuery, parseWatchQuery } from './query.js';

const q = (s: string): URLSearchParams => new URLSearchParams(s);
const code = (fn: () => unknown): number | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return (e as { status: { code: number } }).status.code;
  }
};

test('dryRun accepts only All', () => {
  assert.equal(parseDryRun(q('')), false);
  assert.equal(parseDryRun(q('dryRun=All')), true);
  assert.equal(code(() => parseDryRun(q('dryRun=Yes'))), 400);
});

test('fieldValidation defaults to Warn and rejects unknown values', () => {
  assert.equal(parseFieldValidation(q('')), 'Warn');
  assert.equal(parseFieldValidation(q('fieldValidation=Strict')), 'Strict');
  assert.equal(code(() => parseFieldValidation(q('fieldValidation=strict'))), 400);
});

test('fieldManager defaults to the user agent program', () => {
  assert.equal(parseFieldManager(q(''), 'kubectl/v1.32.0 (linux/amd64) kubernetes/abc'), 'kubectl');
  assert.equal(parseFieldManager(q('fieldManager=kubectl-client-side-apply'), 'kubectl/v1.32.0'), 'kubectl-client-side-apply');
  assert.equal(code(() => parseFieldManager(q(`fieldManager=${'x'.repeat(129)}`), undefined)), 400);
});

test('list and watch queries', () => {
  assert.deepEqual(parseListQuery(q('limit=500&labelSelector=app%3Dweb&resourceVersion=0')), { limit: 500, labelSelector: 'app=web', resourceVersion: '0' });
  assert.equal(code(() => parseListQuery(q('limit=abc'))), 400);
  assert.equal(code(() => parseListQuery(q('resourceVersionMatch=Exact'))), 400);
  assert.deepEqual(parseWatchQuery(q('watch=true&resourceVersion=12&timeoutSeconds=300&allowWatchBookmarks=true&limit=5')),
    { resourceVersion: '12', timeoutSeconds: 300, allowWatchBookmarks: true });
});

test('delete options: body over query, dryRun from either', () => {
  assert.deepEqual(parseDeleteOptions(q('gracePeriodSeconds=5'), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' }),
    { opts: { gracePeriodSeconds: 5, propagationPolicy: 'Background' }, dryRun: false });
  assert.deepEqual(parseDeleteOptions(q(''), { dryRun: ['All'] }), { opts: {}, dryRun: true });
  assert.equal(code(() => parseDeleteOptions(q('propagationPolicy=Sometimes'), undefined)), 400);
  assert.equal(code(() => parseDeleteOptions(q(''), { kind: 'Pod' })), 400);
});
