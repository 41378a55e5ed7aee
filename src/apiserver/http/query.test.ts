import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { isWatch, parseDeleteOptions, parseListQuery, parseWatchQuery } from './query.js';
import type { StatusError } from '../../api/status.js';

const q = (s: string): URLSearchParams => new URLSearchParams(s);
const code = (fn: () => unknown): number | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return (e as { status: { code: number } }).status.code;
  }
};

test('list and watch queries', () => {
  assert.deepEqual(parseListQuery(q('limit=500&labelSelector=app%3Dweb&resourceVersion=0')), { limit: 500, labelSelector: 'app=web', resourceVersion: '0' });
  assert.equal(code(() => parseListQuery(q('limit=abc'))), 400);
  // ValidateListOptions / validateWatchOptions: 422 on ListOptions. A list's resourceVersionMatch is
  // checked where reads are served (storage's checkListOptions).
  assert.deepEqual(parseListQuery(q('resourceVersion=5&resourceVersionMatch=Exact')), { resourceVersion: '5', resourceVersionMatch: 'Exact' });
  assert.equal(code(() => parseListQuery(q('sendInitialEvents=true'))), 422);
  assert.equal(code(() => parseWatchQuery(q('watch=1&resourceVersion=5&resourceVersionMatch=NotOlderThan'))), 422);
  assert.equal(code(() => parseWatchQuery(q('watch=1&sendInitialEvents=true&resourceVersionMatch=Exact'))), 422);
  assert.deepEqual(parseWatchQuery(q('watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true')),
    { resourceVersionMatch: 'NotOlderThan', sendInitialEvents: true, allowWatchBookmarks: true });
  assert.deepEqual(parseWatchQuery(q('watch=true&resourceVersion=12&timeoutSeconds=300&allowWatchBookmarks=true&limit=5')),
    { resourceVersion: '12', timeoutSeconds: 300, allowWatchBookmarks: true });
  // sendInitialEvents needs NotOlderThan; every error at once, bracketed as Go's aggregate.
  assert.throws(() => parseWatchQuery(q('watch=1&sendInitialEvents=true')), (e: StatusError) => {
    assert.equal(e.message, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
    return true;
  });
  assert.throws(() => parseWatchQuery(q('watch=1&resourceVersionMatch=Exact&continue=x')), (e: StatusError) => {
    assert.equal(e.message, 'ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided, ' +
      'resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan", resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided]');
    return true;
  });
});

// Upstream's delete and deletecollection handlers decode the body when there is one, else the query.
test('delete options come from the body when there is one, else from the query', () => {
  assert.deepEqual(parseDeleteOptions(q('gracePeriodSeconds=5&dryRun=All'), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' }),
    { opts: { propagationPolicy: 'Background' }, dryRun: false });
  assert.deepEqual(parseDeleteOptions(q('gracePeriodSeconds=5&dryRun=All'), undefined), { opts: { gracePeriodSeconds: 5 }, dryRun: true });
  assert.deepEqual(parseDeleteOptions(q(''), { dryRun: ['All'] }), { opts: {}, dryRun: true });
  // ValidateDeleteOptions: 422 on DeleteOptions, as upstream's BeforeDelete.
  assert.equal(code(() => parseDeleteOptions(q('propagationPolicy=Sometimes'), undefined)), 422);
  assert.equal(code(() => parseDeleteOptions(q('dryRun=Yes'), undefined)), 422);
  assert.equal(code(() => parseDeleteOptions(q(''), { dryRun: ['All', 'x'] })), 422);
  assert.equal(code(() => parseDeleteOptions(q(''), { kind: 'Pod' })), 400);
});

// Python's spelling (`watch=False`, `force=True`) is what the official Python client sends; upstream
// decodes every boolean parameter with runtime.Convert_Slice_string_To_bool ("0" or any case of
// "false" is false, anything else true).
test('every boolean parameter is read the way upstream converts it', () => {
  assert.equal(isWatch(q('watch=False')), false);
  assert.equal(isWatch(q('watch=FALSE')), false);
  assert.equal(isWatch(q('watch=0')), false);
  assert.equal(isWatch(q('watch=True')), true);
  assert.equal(isWatch(q('watch=')), true);
  assert.equal(isWatch(q('')), false);
  assert.deepEqual(parseWatchQuery(q('watch=True&allowWatchBookmarks=True&sendInitialEvents=False&resourceVersionMatch=NotOlderThan')),
    { allowWatchBookmarks: true, sendInitialEvents: false, resourceVersionMatch: 'NotOlderThan' });
  assert.deepEqual(parseDeleteOptions(q('orphanDependents=True'), undefined).opts, { orphanDependents: true });
  assert.deepEqual(parseDeleteOptions(q('orphanDependents=False'), undefined).opts, { orphanDependents: false });
});

test('integer parameters are strconv.ParseInt: limit, timeoutSeconds, gracePeriodSeconds', () => {
  assert.equal(code(() => parseListQuery(q('limit=0x10'))), 400);
  assert.equal(code(() => parseListQuery(q('limit=1e3'))), 400);
  assert.equal(code(() => parseListQuery(q('limit='))), 400);
  assert.equal(code(() => parseWatchQuery(q('timeoutSeconds=2.5'))), 400);
  assert.equal(code(() => parseDeleteOptions(q('gracePeriodSeconds=0x1'), undefined)), 400);
  assert.deepEqual(parseDeleteOptions(q('gracePeriodSeconds=%2B30'), undefined).opts, { gracePeriodSeconds: 30 });
});
