// The console's static files: the policy on every answer, the page for unknown paths (the router
// reads the hash), nothing outside the bundle's folder, GET/HEAD only, other paths left alone.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CONSOLE_CSP, createConsoleHandler } from './console-handler.js';

const dir = mkdtempSync(join(tmpdir(), 'bosun-console-files-'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>page</title>');
writeFileSync(join(dir, 'app.js'), 'console.log(1)');
const outside = mkdtempSync(join(tmpdir(), 'bosun-console-outside-'));
writeFileSync(join(outside, 'secret.js'), 'secret');
const handler = createConsoleHandler(dir);

interface Answer { handled: boolean; code?: number; headers: Record<string, unknown>; body: string }
function call(path: string, method = 'GET'): Answer {
  const headers: Record<string, unknown> = {};
  const a: Answer = { handled: false, headers, body: '' };
  const res = {
    setHeader: (k: string, v: unknown) => { headers[k.toLowerCase()] = v; },
    writeHead: (code: number, h?: Record<string, unknown>) => {
      a.code = code;
      for (const [k, v] of Object.entries(h ?? {})) headers[k.toLowerCase()] = v;
    },
    end: (b?: Buffer | string) => { a.body = b ? b.toString() : ''; },
  } as unknown as ServerResponse;
  a.handled = handler({ method } as IncomingMessage, res, new URL(path, 'https://x.invalid'));
  return a;
}

describe('console static files', () => {
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('serves the page and its script with the strict policy and no cookie', () => {
    const page = call('/console/');
    assert.equal(page.code, 200);
    assert.match(String(page.headers['content-type']), /text\/html/);
    assert.equal(page.headers['content-security-policy'], CONSOLE_CSP);
    assert.doesNotMatch(CONSOLE_CSP, /unsafe-inline|unsafe-eval/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(page.headers['set-cookie'], undefined);
    const js = call('/console/app.js');
    assert.equal(js.body, 'console.log(1)');
    assert.match(String(js.headers['content-type']), /text\/javascript/);
  });

  it('redirects /console to /console/ and answers unknown paths with the page', () => {
    assert.equal(call('/console').code, 301);
    assert.match(call('/console/pods/anything').body, /<title>page/);
  });

  it('never serves a file outside its folder', () => {
    const rel = `/console/..%2f${outside.split('/').pop()}%2fsecret.js`;
    assert.doesNotMatch(call(rel).body, /secret/);
    assert.doesNotMatch(call('/console/%2e%2e%2f%2e%2e%2fetc%2fpasswd').body, /root:/);
  });

  it('answers only GET and HEAD, and leaves other paths to the API', () => {
    assert.equal(call('/console/app.js', 'POST').code, 405);
    assert.equal(call('/console/app.js', 'HEAD').body, '');
    assert.equal(call('/api/v1/pods').handled, false);
    assert.equal(call('/consoles').handled, false);
  });
});
