/**
 * The web console ships inside the package (issue 18): `npm run build` leaves the page, its one
 * script and its stylesheets in dist/console (shipped with the rest of dist/), the page loads only
 * those files (no CDN: it works air-gapped), and the script has no eval or Function() (the page runs
 * under script-src 'self') and stays within its 300 KB gzipped budget.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

const DIST = new URL('../../dist/console/', import.meta.url).pathname;

test('dist/console holds the page and everything it loads, all local', () => {
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
  assert.ok(refs.includes('app.js') && refs.includes('style.css'), `the page loads its bundle: ${refs.join(', ')}`);
  for (const r of refs) {
    if (r === 'data:,') continue; // the empty favicon
    assert.doesNotMatch(r, /^[a-z]+:|^\/\//i, `${r} is not a local file`);
    assert.ok(existsSync(join(DIST, r)), `${r} is missing from dist/console`);
  }
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)/, 'no inline script');
});

test('the script uses no eval and fits 300 KB gzipped', () => {
  const js = readFileSync(join(DIST, 'app.js'));
  assert.doesNotMatch(js.toString(), /\beval\(|new Function\(/);
  assert.ok(gzipSync(js).length < 300 * 1024, `app.js is ${gzipSync(js).length} bytes gzipped`);
});
