/**
 * The verb a GET is authorized as must be what the handler then serves: upstream's
 * RequestInfoFactory decodes `watch` with the same conversion as the list handler, so a request the
 * handler serves as a watch is never authorized as a mere list (and `watch=False` is a list).
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { isWatch } from '../http/query.js';
import { parseResourcePath } from '../http/request-info.js';
import { requestVerb } from './attributes.js';

test('GET on a collection: watch for any value the handler watches for, list otherwise', () => {
  const p = parseResourcePath('/api/v1/namespaces/ns/secrets')!;
  for (const v of ['true', 'True', '1', '', 'yes', 'false', 'False', 'FALSE', '0']) {
    const q = new URLSearchParams({ watch: v });
    assert.equal(requestVerb('GET', p, q), isWatch(q) ? 'watch' : 'list', JSON.stringify(v));
  }
  assert.equal(requestVerb('GET', p, new URLSearchParams('watch=True')), 'watch');
  assert.equal(requestVerb('GET', p, new URLSearchParams('watch=False')), 'list');
  assert.equal(requestVerb('GET', p, new URLSearchParams('')), 'list');
});

test('GET of one object or its subresource stays get with ?watch=true; the /watch/ prefix is watch', () => {
  const q = new URLSearchParams('watch=true');
  assert.equal(requestVerb('GET', parseResourcePath('/api/v1/namespaces/ns/configmaps/cm')!, q), 'get');
  assert.equal(requestVerb('GET', parseResourcePath('/api/v1/namespaces/ns/pods/p/proxy/api')!, q), 'get');
  assert.equal(requestVerb('GET', parseResourcePath('/api/v1/watch/namespaces/ns/configmaps/cm')!, new URLSearchParams()), 'watch');
  assert.equal(requestVerb('GET', parseResourcePath('/api/v1/watch/namespaces/ns/configmaps')!, new URLSearchParams()), 'watch');
});
