/**
 * The proxy's link rewriting, table-driven from upstream's TestProxyTransport and
 * TestRewriteResponse (k8s.io/apimachinery/pkg/util/proxy/transport_test.go): the same transports,
 * pages, redirects and expected links; the request's Host is the source URL's unless a case sets
 * reqHost (Go's http.NewRequest). The X-Forwarded-Uri cases are upstream's too.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { deflateRawSync, gzipSync, gunzipSync, inflateRawSync } from 'node:zlib';
import { forwardedUri, isHtml, rewriteEncodedHtml, rewriteURL, type LinkRewrite } from './link-rewriting.js';

type Transport = Pick<LinkRewrite, 'scheme' | 'host' | 'pathPrepend'>;
const testTransport: Transport = { scheme: 'http', host: 'foo.com', pathPrepend: '/proxy/node/node1:10250' };
const testTransport2: Transport = { scheme: 'https', host: 'foo.com', pathPrepend: '/proxy/node/node1:8080' };
const emptyHostTransport: Transport = { scheme: 'https', host: '', pathPrepend: '/proxy/node/node1:10250' };
const emptySchemeTransport: Transport = { scheme: '', host: 'foo.com', pathPrepend: '/proxy/node/node1:10250' };
const emptyHostAndSchemeTransport: Transport = { scheme: '', host: '', pathPrepend: '/proxy/node/node1:10250' };

interface Item { sourceURL: string; transport: Transport; forwardedURI: string; input?: string; output?: string; contentType?: string; redirect?: string; redirectWant?: string; reqHost?: string }

const table: Record<string, Item> = {
  'normal': { input: '<pre><a href="kubelet.log">kubelet.log</a><a href="/google.log">google.log</a></pre>', sourceURL: 'http://mynode.com/logs/log.log', transport: testTransport, output: '<pre><a href="kubelet.log">kubelet.log</a><a href="http://foo.com/proxy/node/node1:10250/google.log">google.log</a></pre>', contentType: 'text/html', forwardedURI: '/proxy/node/node1:10250/logs/log.log' },
  'full document': { input: '<html><header></header><body><pre><a href="kubelet.log">kubelet.log</a><a href="/google.log">google.log</a></pre></body></html>', sourceURL: 'http://mynode.com/logs/log.log', transport: testTransport, output: '<html><header></header><body><pre><a href="kubelet.log">kubelet.log</a><a href="http://foo.com/proxy/node/node1:10250/google.log">google.log</a></pre></body></html>', contentType: 'text/html', forwardedURI: '/proxy/node/node1:10250/logs/log.log' },
  'trailing slash': { input: '<pre><a href="kubelet.log">kubelet.log</a><a href="/google.log/">google.log</a></pre>', sourceURL: 'http://mynode.com/logs/log.log', transport: testTransport, output: '<pre><a href="kubelet.log">kubelet.log</a><a href="http://foo.com/proxy/node/node1:10250/google.log/">google.log</a></pre>', contentType: 'text/html', forwardedURI: '/proxy/node/node1:10250/logs/log.log' },
  'content-type charset': { input: '<pre><a href="kubelet.log">kubelet.log</a><a href="/google.log">google.log</a></pre>', sourceURL: 'http://mynode.com/logs/log.log', transport: testTransport, output: '<pre><a href="kubelet.log">kubelet.log</a><a href="http://foo.com/proxy/node/node1:10250/google.log">google.log</a></pre>', contentType: 'text/html; charset=utf-8', forwardedURI: '/proxy/node/node1:10250/logs/log.log' },
  'content-type passthrough': { input: '<pre><a href="kubelet.log">kubelet.log</a><a href="/google.log">google.log</a></pre>', sourceURL: 'http://mynode.com/logs/log.log', transport: testTransport, output: '<pre><a href="kubelet.log">kubelet.log</a><a href="/google.log">google.log</a></pre>', contentType: 'text/plain', forwardedURI: '/proxy/node/node1:10250/logs/log.log' },
  'subdir': { input: '<a href="kubelet.log">kubelet.log</a><a href="/google.log">google.log</a>', sourceURL: 'http://mynode.com/whatever/apt/somelog.log', transport: testTransport2, output: '<a href="kubelet.log">kubelet.log</a><a href="https://foo.com/proxy/node/node1:8080/google.log">google.log</a>', contentType: 'text/html', forwardedURI: '/proxy/node/node1:8080/whatever/apt/somelog.log' },
  'image': { input: '<pre><img src="kubernetes.jpg"/><img src="/kubernetes_abs.jpg"/></pre>', sourceURL: 'http://mynode.com/', transport: testTransport, output: '<pre><img src="kubernetes.jpg"/><img src="http://foo.com/proxy/node/node1:10250/kubernetes_abs.jpg"/></pre>', contentType: 'text/html', forwardedURI: '/proxy/node/node1:10250/' },
  'abs': { input: '<script src="http://google.com/kubernetes.js"/>', sourceURL: 'http://mynode.com/any/path/', transport: testTransport, output: '<script src="http://google.com/kubernetes.js"/>', contentType: 'text/html', forwardedURI: '/proxy/node/node1:10250/any/path/' },
  'abs but same host': { input: '<script src="http://mynode.com/kubernetes.js"/>', sourceURL: 'http://mynode.com/any/path/', transport: testTransport, output: '<script src="http://foo.com/proxy/node/node1:10250/kubernetes.js"/>', contentType: 'text/html', forwardedURI: '/proxy/node/node1:10250/any/path/' },
  'redirect rel': { sourceURL: 'http://mynode.com/redirect', transport: testTransport, redirect: '/redirected/target/', redirectWant: 'http://foo.com/proxy/node/node1:10250/redirected/target/', forwardedURI: '/proxy/node/node1:10250/redirect' },
  'redirect abs same host': { sourceURL: 'http://mynode.com/redirect', transport: testTransport, redirect: 'http://mynode.com/redirected/target/', redirectWant: 'http://foo.com/proxy/node/node1:10250/redirected/target/', forwardedURI: '/proxy/node/node1:10250/redirect' },
  'redirect abs other host': { sourceURL: 'http://mynode.com/redirect', transport: testTransport, redirect: 'http://example.com/redirected/target/', redirectWant: 'http://example.com/redirected/target/', forwardedURI: '/proxy/node/node1:10250/redirect' },
  'redirect abs use reqHost no host no scheme': { sourceURL: 'http://mynode.com/redirect', transport: emptyHostAndSchemeTransport, redirect: 'http://10.0.0.1:8001/redirected/target/', redirectWant: 'http://10.0.0.1:8001/proxy/node/node1:10250/redirected/target/', forwardedURI: '/proxy/node/node1:10250/redirect', reqHost: '10.0.0.1:8001' },
  'source contains the redirect already': { input: '<pre><a href="kubelet.log">kubelet.log</a><a href="http://foo.com/proxy/node/node1:10250/google.log">google.log</a></pre>', sourceURL: 'http://foo.com/logs/log.log', transport: testTransport, output: '<pre><a href="kubelet.log">kubelet.log</a><a href="http://foo.com/proxy/node/node1:10250/google.log">google.log</a></pre>', contentType: 'text/html', forwardedURI: '/proxy/node/node1:10250/logs/log.log' },
  'no host': { input: '<html></html>', sourceURL: 'http://mynode.com/logs/log.log', transport: emptyHostTransport, output: '<html></html>', contentType: 'text/html', forwardedURI: '/proxy/node/node1:10250/logs/log.log' },
  'no scheme': { input: '<html></html>', sourceURL: 'http://mynode.com/logs/log.log', transport: emptySchemeTransport, output: '<html></html>', contentType: 'text/html', forwardedURI: '/proxy/node/node1:10250/logs/log.log' },
};

const rewriteOf = (item: Item): LinkRewrite => {
  const source = new URL(item.sourceURL);
  return { ...item.transport, sourceHost: source.host, requestHost: item.reqHost ?? source.host };
};

async function text(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks);
}

for (const [name, item] of Object.entries(table)) {
  test(`upstream's TestProxyTransport: ${name}`, async () => {
    const t = rewriteOf(item);
    assert.equal(forwardedUri(t, new URL(item.sourceURL).pathname)['x-forwarded-uri'], item.forwardedURI);
    if (item.redirect !== undefined) {
      assert.equal(rewriteURL(item.redirect, t), item.redirectWant);
      return;
    }
    const out = isHtml(item.contentType) ? (await text(rewriteEncodedHtml(Readable.from([item.input!]), '', t)!)).toString() : item.input;
    assert.equal(out, item.output);
  });
}

test("upstream's TestRewriteResponse: gzip and deflate bodies, short and long (4097 repeats), come back encoded the same way", async () => {
  const t = rewriteOf(table.normal!);
  for (const body of ['short body test', 'long body test'.repeat(4097)]) {
    assert.equal(gunzipSync(await text(rewriteEncodedHtml(Readable.from([gzipSync(body)]), 'gzip', t)!)).toString(), body);
    assert.equal(inflateRawSync(await text(rewriteEncodedHtml(Readable.from([deflateRawSync(body)]), 'deflate', t)!)).toString(), body);
  }
  // A gzip page's links are rewritten; an encoding upstream does not understand is left alone.
  const page = gzipSync('<a href="/google.log">g</a>');
  assert.equal(gunzipSync(await text(rewriteEncodedHtml(Readable.from([page]), 'gzip', t)!)).toString(), '<a href="http://foo.com/proxy/node/node1:10250/google.log">g</a>');
  assert.equal(rewriteEncodedHtml(Readable.from([page]), 'br', t), undefined);
});

test("only the attributes of upstream's atomsToAttrs table are rewritten, in tags of any case; other tags pass byte for byte", async () => {
  const t = rewriteOf(table.normal!);
  const input = '<!DOCTYPE html><FORM Action=\'/submit\'><input formaction="/go" value="/x"></FORM><div data-href="/no" title="/no"></div><link rel=stylesheet href=/s.css><p>/text</p>';
  const want = '<!DOCTYPE html><form action="http://foo.com/proxy/node/node1:10250/submit"><input formaction="http://foo.com/proxy/node/node1:10250/go" value="/x"></FORM><div data-href="/no" title="/no"></div><link rel="stylesheet" href="http://foo.com/proxy/node/node1:10250/s.css"><p>/text</p>';
  assert.equal((await text(rewriteEncodedHtml(Readable.from([input]), '', t)!)).toString(), want);
});
