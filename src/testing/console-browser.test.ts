/**
 * gotoPage's retries, provoked on purpose: Chromium's ERR_NETWORK_CHANGED cannot be produced at
 * will, so these abort requests with ERR_INTERNET_DISCONNECTED and pass that as the transient error.
 * CI twice saw the console suite fail around this: a subresource aborted (the app never rendered),
 * then a reload after an aborted navigation ("Not attached to an active page").
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gotoPage, openConsoleBrowser, type ConsoleBrowser } from './console-browser.js';

const TRANSIENT = /ERR_INTERNET_DISCONNECTED/;
const html = '<!doctype html><div id="app"><noscript>needs JavaScript</noscript></div><script src="app.js"></script>';
const js = "document.getElementById('app').append(Object.assign(document.createElement('main'), { id: 'token', textContent: 'signed out' }));";

let server: Server;
let base = '';
let b: ConsoleBrowser;
const served: string[] = [];

before(async () => {
  server = createServer((req, res) => {
    served.push(req.url ?? '');
    const isJs = req.url?.endsWith('.js') ?? false;
    res.writeHead(200, { 'content-type': isJs ? 'text/javascript' : 'text/html', 'cache-control': 'no-store' });
    res.end(isJs ? js : html);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  b = await openConsoleBrowser();
});
after(async () => {
  await b?.close();
  await new Promise((r) => server?.close(r));
});

/** Aborts the first `times` requests whose path ends with `suffix`, as a network change would. */
async function abortFirst(suffix: string, times: number): Promise<() => Promise<void>> {
  let left = times;
  const matcher = (u: URL): boolean => u.pathname.endsWith(suffix);
  await b.page.route(matcher, async (route) => {
    if (left-- > 0) await route.abort('internetdisconnected');
    else await route.continue();
  });
  return () => b.page.unroute(matcher);
}

test('an aborted navigation is retried and the page renders at the URL asked for', async () => {
  served.length = 0;
  const undo = await abortFirst('/nav/', 2);
  try {
    const res = await gotoPage(b.page, `${base}/nav/#/r/pods`, TRANSIENT);
    assert.equal(res?.status(), 200);
    await b.page.locator('#token').waitFor({ timeout: 5_000 });
    assert.equal(new URL(b.page.url()).hash, '#/r/pods');
  } finally {
    await undo();
  }
});

test('a page whose script was aborted is reloaded until the app renders', async () => {
  await b.page.goto('about:blank');
  served.length = 0;
  const undo = await abortFirst('/sub/app.js', 1);
  try {
    const res = await gotoPage(b.page, `${base}/sub/#/r/pods`, TRANSIENT);
    assert.equal(res?.status(), 200);
    await b.page.locator('#token').waitFor({ timeout: 5_000 });
    // The document was fetched twice (a reload), and app.js reached the server once (its first
    // request was aborted in the browser).
    assert.deepEqual(served.filter((u) => u.startsWith('/sub/')), ['/sub/', '/sub/', '/sub/app.js']);
  } finally {
    await undo();
  }
});

test('an error that is not the transient one is the caller\'s: no retry', async () => {
  served.length = 0;
  const undo = await abortFirst('/other/', 1);
  try {
    await assert.rejects(gotoPage(b.page, `${base}/other/`, /ERR_NETWORK_CHANGED/), /ERR_INTERNET_DISCONNECTED/);
    assert.deepEqual(served, []);
  } finally {
    await undo();
  }
});
