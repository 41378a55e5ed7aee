/**
 * Route matching as the networking.k8s.io/v1 API documents pathType and host (upstream
 * staging/src/k8s.io/api/networking/v1/types.go: "/foo/bar does not match requests to /foo/barbaz",
 * "/foo and /foo/ both match requests to /foo and /foo/ ... the longest matching path (/foo/) is
 * given priority"; a wildcard host matches exactly one label), with Traefik's precedence for what
 * the API leaves open (routes.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Ingress, PATH_TYPES } from '../api/kinds/networking/ingress.js';
import { hostOnly, RouteTable } from './routes.js';

type Path = { path?: string; pathType: (typeof PATH_TYPES)[number]; svc: string };

function ing(name: string, rules: { host?: string; paths: Path[] }[], o: { created?: string; defaultSvc?: string; ns?: string } = {}): Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
    metadata: { name, namespace: o.ns ?? 'default', creationTimestamp: o.created ?? '2026-01-01T00:00:00Z' },
    spec: {
      ...(o.defaultSvc ? { defaultBackend: { service: { name: o.defaultSvc, port: { number: 80 } } } } : {}),
      rules: rules.map((r) => ({
        ...(r.host ? { host: r.host } : {}),
        http: { paths: r.paths.map((p) => ({ ...(p.path !== undefined ? { path: p.path } : {}), pathType: p.pathType, backend: { service: { name: p.svc, port: { number: 80 } } } })) },
      })),
    },
  };
}

function serviceOf(t: RouteTable, host: string | undefined, path: string): string | undefined {
  const r = t.match(host, path);
  if (!r) return undefined;
  return r.kind === 'service' ? r.ref.service : `unsupported: ${r.reason}`;
}

describe('ingress routes', () => {
  const pathTable = new RouteTable([ing('paths', [{
    paths: [
      { path: '/foo', pathType: 'Prefix', svc: 'foo-prefix' },
      { path: '/foo/', pathType: 'Prefix', svc: 'foo-slash' },
      { path: '/foo/bar', pathType: 'Exact', svc: 'foobar-exact' },
      { path: '/foo/bar', pathType: 'Prefix', svc: 'foobar-prefix' },
      { path: '/aaa/bbb', pathType: 'Prefix', svc: 'ab' },
      { path: '/impl', pathType: 'ImplementationSpecific', svc: 'impl' },
      { path: '/exact', pathType: 'Exact', svc: 'exact' },
      { path: '/', pathType: 'Exact', svc: 'root-exact' },
    ],
  }])]);
  const pathCases: [string, string | undefined][] = [
    // Element-wise prefix: /foo/ is the longest that matches /foo and /foo/ (API docs' example).
    ['/foo', 'foo-slash'],
    ['/foo/', 'foo-slash'],
    ['/foo/baz', 'foo-slash'],
    ['/foobar', undefined],
    // Exact beats Prefix of the same length; the Prefix takes the deeper paths.
    ['/foo/bar', 'foobar-exact'],
    ['/foo/bar/', 'foobar-prefix'],
    ['/foo/bar/baz', 'foobar-prefix'],
    ['/foo/barbaz', 'foo-slash'],
    ['/aaa/bbbxyz', undefined],
    ['/aaa/bbb/c', 'ab'],
    ['/aaa', undefined],
    ['/impl/x', 'impl'],
    ['/implx', undefined],
    ['/exact', 'exact'],
    ['/exact/', undefined],
    ['/Exact', undefined],
    ['/exact?x=1', 'exact'],
    ['/', 'root-exact'],
    ['/nothing', undefined],
  ];
  for (const [path, want] of pathCases) {
    it(`path ${path} -> ${want ?? '404'}`, () => assert.equal(serviceOf(pathTable, 'any.example', path), want));
  }

  const hostTable = new RouteTable([
    ing('hosts', [
      { host: 'foo.bar.com', paths: [{ path: '/', pathType: 'Prefix', svc: 'precise' }] },
      { host: 'app.bar.com', paths: [{ path: '/app', pathType: 'Prefix', svc: 'app' }] },
      { host: '*.bar.com', paths: [{ path: '/', pathType: 'Prefix', svc: 'wildcard' }, { path: '/wild-only', pathType: 'Prefix', svc: 'wild-only' }] },
      { paths: [{ path: '/any', pathType: 'Prefix', svc: 'hostless' }] },
    ]),
  ]);
  const hostCases: [string | undefined, string, string | undefined][] = [
    ['foo.bar.com', '/', 'precise'],
    ['FOO.bar.com:8080', '/x', 'precise'],
    ['foo.bar.com.', '/x', 'precise'],
    ['baz.bar.com', '/', 'wildcard'],
    // A wildcard matches exactly one label.
    ['a.b.bar.com', '/', undefined],
    ['bar.com', '/', undefined],
    // A more specific host wins, but a path only a less specific rule has still matches there (as Traefik's rules).
    ['app.bar.com', '/app/x', 'app'],
    ['app.bar.com', '/wild-only/x', 'wild-only'],
    ['app.bar.com', '/any', 'wildcard'],
    ['foo.bar.com', '/wild-only/x', 'precise'],
    ['other.com', '/any/thing', 'hostless'],
    ['other.com', '/', undefined],
    [undefined, '/any', 'hostless'],
  ];
  for (const [host, path, want] of hostCases) {
    it(`host ${host ?? '(none)'} ${path} -> ${want ?? '404'}`, () => assert.equal(serviceOf(hostTable, host, path), want));
  }

  it('a precise host with a shorter path beats a hostless longer one', () => {
    const t = new RouteTable([ing('a', [{ host: 'h.example', paths: [{ path: '/', pathType: 'Prefix', svc: 'h' }] }, { paths: [{ path: '/long/path', pathType: 'Prefix', svc: 'any' }] }])]);
    assert.equal(serviceOf(t, 'h.example', '/long/path'), 'h');
    assert.equal(serviceOf(t, 'x.example', '/long/path'), 'any');
  });

  it('the oldest Ingress wins a tie, and its defaultBackend catches what no rule matches', () => {
    const t = new RouteTable([
      ing('newer', [{ paths: [{ path: '/same', pathType: 'Prefix', svc: 'newer' }] }], { created: '2026-02-01T00:00:00Z', defaultSvc: 'newer-default' }),
      ing('older', [{ paths: [{ path: '/same', pathType: 'Prefix', svc: 'older' }] }], { created: '2026-01-01T00:00:00Z', defaultSvc: 'older-default' }),
    ]);
    assert.equal(serviceOf(t, 'x', '/same/1'), 'older');
    assert.equal(serviceOf(t, 'x', '/other'), 'older-default');
  });

  it('an Ingress of only a defaultBackend takes everything', () => {
    const t = new RouteTable([ing('d', [], { defaultSvc: 'everything' })]);
    assert.equal(serviceOf(t, 'whatever.example', '/a/b'), 'everything');
    assert.deepEqual(t.backends(), [{ namespace: 'default', service: 'everything', port: { number: 80, name: undefined } }]);
  });

  it('a path omitted under ImplementationSpecific matches everything; a resource backend is named unsupported', () => {
    const i = ing('r', [{ paths: [{ pathType: 'ImplementationSpecific', svc: 'all' }] }]);
    assert.equal(serviceOf(new RouteTable([i]), 'h', '/deep/path'), 'all');
    i.spec!.rules![0]!.http!.paths[0]!.backend = { resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'b' } };
    assert.match(serviceOf(new RouteTable([i]), 'h', '/x') ?? '', /unsupported: resource backend StorageBucket/);
  });

  it('ports by name are kept for the Service lookup; namespaces are the Ingress\'s', () => {
    const i = ing('named', [{ paths: [{ path: '/', pathType: 'Prefix', svc: 'web' }] }], { ns: 'team-a' });
    i.spec!.rules![0]!.http!.paths[0]!.backend = { service: { name: 'web', port: { name: 'http' } } };
    assert.deepEqual(new RouteTable([i]).match('h', '/'), { kind: 'service', ingress: 'team-a/named', redirect: { ssl: true, force: false }, ref: { namespace: 'team-a', service: 'web', port: { number: undefined, name: 'http' } } });
  });

  it('HTTP to HTTPS as ingress-nginx: a host under some spec.tls redirects unless ssl-redirect is "false"; force-ssl-redirect without TLS; never an ACME challenge', () => {
    const withTls = (i: Ingress, hosts: string[], annotations: Record<string, string> = {}): Ingress =>
      ({ ...i, metadata: { ...i.metadata, annotations }, spec: { ...i.spec, tls: [{ hosts, secretName: 's' }] } });
    const t = new RouteTable([
      withTls(ing('secure', [{ host: 'secure.example', paths: [{ path: '/', pathType: 'Prefix', svc: 's' }] }]), ['secure.example']),
      withTls(ing('wild', [{ host: 'a.wild.example', paths: [{ path: '/', pathType: 'Prefix', svc: 'w' }] }]), ['*.wild.example']),
      withTls(ing('off', [{ host: 'off.example', paths: [{ path: '/', pathType: 'Prefix', svc: 'o' }] }]), ['off.example'], { 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' }),
      withTls(ing('forced', [{ host: 'forced.example', paths: [{ path: '/', pathType: 'Prefix', svc: 'f' }] }]), [], { 'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true' }),
      ing('plain', [{ host: 'plain.example', paths: [{ path: '/', pathType: 'Prefix', svc: 'p' }] }]),
      // A host-less rule of an Ingress without TLS.
      ing('any', [{ paths: [{ path: '/any', pathType: 'Prefix', svc: 'any' }] }]),
    ]);
    const cases: [string, string, boolean][] = [
      ['secure.example:8080', '/x?y=1', true],
      ['a.wild.example', '/', true],
      ['off.example', '/', false],
      ['forced.example', '/', true],
      ['plain.example', '/', false],
      ['secure.example', '/.well-known/acme-challenge/token', false],
      ['forced.example', '/.well-known/acme-challenge/token', false],
    ];
    for (const [host, path, want] of cases) {
      const target = t.match(host, path)!;
      assert.equal(t.redirectsToHttps(target, host, path), want, `${host}${path}`);
    }
    // A host-less rule serving a TLS host redirects too (the host is what has TLS, as nginx's server block).
    const anyTarget = t.match('other.wild.example', '/any/x')!;
    assert.equal(anyTarget.kind === 'service' && anyTarget.ref.service, 'any');
    assert.equal(t.redirectsToHttps(anyTarget, 'other.wild.example', '/any/x'), true);
    assert.equal(t.redirectsToHttps(anyTarget, 'nothing.example', '/any/x'), false);
  });

  it('host headers lose their port and a trailing dot; IPv6 literals their brackets', () => {
    assert.equal(hostOnly('Foo.Example:80'), 'foo.example');
    assert.equal(hostOnly('foo.example.'), 'foo.example');
    assert.equal(hostOnly('[::1]:8080'), '::1');
    assert.equal(hostOnly(''), '');
  });
});
