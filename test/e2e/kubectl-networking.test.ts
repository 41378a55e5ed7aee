/**
 * networking.k8s.io/v1 Ingress, IngressClass and NetworkPolicy through the real kubectl, as a v1.32
 * kube-apiserver serves them: kubectl's own `create ingress` generator (sent as protobuf), upstream's
 * printer columns (pkg/printers/internalversion/printers.go printIngress, printIngressClass,
 * printNetworkPolicy), validation messages and field paths (pkg/apis/networking/validation),
 * defaults (pkg/apis/networking/v1/defaults.go), the DefaultIngressClass admission
 * (plugin/pkg/admission/network/defaultingressclass) and `kubectl explain`. Every NetworkPolicy is
 * enforced (src/network-policy), egress named ports included: no write answers a warning.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { kubectlOk } from '../../src/testing/kubectl-ok.js';
import { startTestServer, type TestServer } from '../../src/testing/test-cluster.js';

const NS = `e2e-net-${process.pid}`;
const P = `nw${process.pid}`;

const ingress = (name: string, spec: Record<string, unknown>, annotations?: Record<string, string>) =>
  JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, ...(annotations ? { annotations } : {}) }, spec });
const path = (p: Record<string, unknown>) => ({ rules: [{ host: 'foo.example.com', http: { paths: [{ backend: { service: { name: 'svc1', port: { number: 80 } } }, ...p }] } }] });

describe('networking.k8s.io/v1 through kubectl', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    await kubectlOk(s, ['create', 'namespace', NS]);
  });
  after(() => s?.stop());

  test('kubectl create ingress (its generator, sent as protobuf) and get ing with upstream columns', async () => {
    await kubectlOk(s, ['-n', NS, 'create', 'ingress', `${P}-simple`, '--rule=foo.com/bar*=svc1:8080']);
    const spec = JSON.parse(await kubectlOk(s, ['-n', NS, 'get', 'ing', `${P}-simple`, '-o', 'jsonpath={.spec}']));
    assert.deepEqual(spec, { rules: [{ host: 'foo.com', http: { paths: [{ path: '/bar', pathType: 'Prefix', backend: { service: { name: 'svc1', port: { number: 8080 } } } }] } }] });
    await kubectlOk(s, ['-n', NS, 'create', 'ingress', `${P}-tls`, '--rule=a.example.com/=svc2:https,tls=cert', '--rule=b.example.com/x=svc3:80', '--class=other']);
    const out = await kubectlOk(s, ['-n', NS, 'get', 'ing']);
    assert.match(out, /^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE$/m, out);
    assert.match(out, new RegExp(`^${P}-simple\\s+<none>\\s+foo\\.com\\s+80\\s+\\S+$`, 'm'), out);
    assert.match(out, new RegExp(`^${P}-tls\\s+other\\s+a\\.example\\.com,b\\.example\\.com\\s+80, 443\\s+\\S+$`, 'm'), out);
    // ADDRESS comes from status, written through /status (an ingress controller's job).
    await kubectlOk(s, ['-n', NS, 'patch', 'ing', `${P}-simple`, '--subresource=status', '--type=merge', '-p', '{"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.10"}]}}}']);
    assert.match(await kubectlOk(s, ['-n', NS, 'get', 'ing', `${P}-simple`]), new RegExp(`^${P}-simple\\s+<none>\\s+foo\\.com\\s+192\\.0\\.2\\.10\\s+80\\s+\\S+$`, 'm'));
  });

  test('a bad Ingress is refused with upstream\'s messages and field paths', async () => {
    const cases: [string, string, RegExp][] = [
      ['nopathtype', ingress(`${P}-a`, path({ path: '/x' })), /spec\.rules\[0\]\.http\.paths\[0\]\.pathType: Required value: pathType must be specified/],
      ['relative', ingress(`${P}-b`, path({ path: 'x', pathType: 'Prefix' })), /spec\.rules\[0\]\.http\.paths\[0\]\.path: Invalid value: "x": must be an absolute path/],
      ['badtype', ingress(`${P}-c`, path({ path: '/x', pathType: 'Regex' })), /spec\.rules\[0\]\.http\.paths\[0\]\.pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"/],
      ['bothbackends', ingress(`${P}-d`, { defaultBackend: { service: { name: 'svc', port: { number: 80 } }, resource: { kind: 'Bucket', name: 'b' } } }), /spec\.defaultBackend: Invalid value: "": cannot set both resource and service backends/],
      ['noport', ingress(`${P}-e`, { defaultBackend: { service: { name: 'svc' } } }), /spec\.defaultBackend: Required value: port name or number is required/],
      ['bothports', ingress(`${P}-f`, { defaultBackend: { service: { name: 'svc', port: { name: 'http', number: 80 } } } }), /spec\.defaultBackend: Invalid value: "": cannot set both port name & port number/],
      ['iphost', ingress(`${P}-g`, { rules: [{ host: '10.1.2.3' }] }), /spec\.rules\[0\]\.host: Invalid value: "10\.1\.2\.3": must be a DNS name, not an IP address/],
      ['badwildcard', ingress(`${P}-h`, { rules: [{ host: 'a.*.example.com' }] }), /spec\.rules\[0\]\.host: Invalid value: "a\.\*\.example\.com": a wildcard DNS-1123 subdomain must start with '\*\.'/],
      ['empty', ingress(`${P}-i`, {}), /spec: Invalid value: .*either `defaultBackend` or `rules` must be specified/],
      ['classmismatch', ingress(`${P}-j`, { ingressClassName: 'a', defaultBackend: { service: { name: 'svc', port: { number: 80 } } } }, { 'kubernetes.io/ingress.class': 'b' }), /annotations\.kubernetes\.io\/ingress\.class: Invalid value: "b": must match `ingressClassName` when both are specified/],
    ];
    for (const [what, input, re] of cases) {
      const r = await s.kubectl(['-n', NS, 'create', '-f', '-'], { input });
      assert.notEqual(r.code, 0, `${what}: accepted`);
      assert.match(r.stderr, /The Ingress "[^"]+" is invalid/, `${what}: ${r.stderr}`);
      assert.match(r.stderr, re, `${what}: ${r.stderr}`);
    }
    // A wildcard host and an ImplementationSpecific path without a leading slash requirement on empty paths are fine.
    await kubectlOk(s, ['-n', NS, 'create', '-f', '-'], { input: ingress(`${P}-wild`, { rules: [{ host: '*.example.com', http: { paths: [{ pathType: 'ImplementationSpecific', backend: { service: { name: 'svc', port: { name: 'http' } } } }] } }] }) });
  });

  test('IngressClass: columns, controller checks, and the default class filled into a new Ingress', async () => {
    const ic = (name: string, spec: Record<string, unknown>, isDefault = false) => JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name, ...(isDefault ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } : {}) }, spec });
    await kubectlOk(s, ['create', '-f', '-'], { input: ic(`${P}-plain`, { controller: 'example.com/ingress' }) });
    await kubectlOk(s, ['create', '-f', '-'], { input: ic(`${P}-default`, { controller: 'example.com/ingress', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb' } }, true) });
    assert.equal(await kubectlOk(s, ['get', 'ingressclass', `${P}-default`, '-o', 'jsonpath={.spec.parameters.scope}']), 'Cluster');
    const out = await kubectlOk(s, ['get', 'ingressclasses']);
    assert.match(out, /^NAME\s+CONTROLLER\s+PARAMETERS\s+AGE$/m, out);
    assert.match(out, new RegExp(`^${P}-default\\s+example\\.com/ingress\\s+IngressParameters\\.k8s\\.example\\.com/external-lb\\s+\\S+$`, 'm'), out);
    assert.match(out, new RegExp(`^${P}-plain\\s+example\\.com/ingress\\s+<none>\\s+\\S+$`, 'm'), out);

    await kubectlOk(s, ['-n', NS, 'create', 'ingress', `${P}-classless`, '--rule=c.example.com/=svc1:80']);
    assert.equal(await kubectlOk(s, ['-n', NS, 'get', 'ing', `${P}-classless`, '-o', 'jsonpath={.spec.ingressClassName}']), `${P}-default`);
    // An explicit class and the legacy annotation are left alone.
    await kubectlOk(s, ['-n', NS, 'create', 'ingress', `${P}-legacy`, '--rule=d.example.com/=svc1:80', `--annotation=kubernetes.io/ingress.class=${P}-plain`]);
    assert.equal(await kubectlOk(s, ['-n', NS, 'get', 'ing', `${P}-legacy`, '-o', 'jsonpath={.spec.ingressClassName}']), '');

    const missing = await s.kubectl(['create', '-f', '-'], { input: ic(`${P}-nocontroller`, {}) });
    assert.match(missing.stderr, /spec\.controller: Required value/, missing.stderr);
    const bare = await s.kubectl(['create', '-f', '-'], { input: ic(`${P}-bare`, { controller: 'nginx' }) });
    assert.match(bare.stderr, /spec\.controller: Invalid value: "nginx": must be a domain-prefixed path \(such as "acme\.io\/foo"\)/, bare.stderr);
    const change = await s.kubectl(['patch', 'ingressclass', `${P}-plain`, '--type=merge', '-p', '{"spec":{"controller":"example.com/other"}}']);
    assert.match(change.stderr, /spec\.controller: Invalid value: "example\.com\/other": field is immutable/, change.stderr);
  });

  test('NetworkPolicy: policyTypes and protocol defaulted, enforced policies write without a warning (an egress named port too), POD-SELECTOR column, ipBlock checked', async () => {
    const np = (name: string, spec: Record<string, unknown>) => JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name }, spec });
    const created = await s.kubectl(['-n', NS, 'create', '-f', '-'], { input: np(`${P}-web`, { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 80 }] }], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }] }) });
    assert.equal(created.code, 0, created.stderr);
    assert.doesNotMatch(created.stderr, /Warning/, created.stderr);
    const spec = JSON.parse(await kubectlOk(s, ['-n', NS, 'get', 'netpol', `${P}-web`, '-o', 'jsonpath={.spec}']));
    assert.deepEqual(spec.policyTypes, ['Ingress', 'Egress']);
    assert.deepEqual(spec.ingress, [{ ports: [{ port: 80, protocol: 'TCP' }] }]);
    const ingressOnly = await s.kubectl(['-n', NS, 'create', '-f', '-'], { input: np(`${P}-all`, { podSelector: {} }) });
    assert.equal(ingressOnly.code, 0, ingressOnly.stderr);
    assert.doesNotMatch(ingressOnly.stderr, /Warning/, ingressOnly.stderr);
    const named = await s.kubectl(['-n', NS, 'create', '-f', '-'], { input: np(`${P}-named`, { podSelector: {}, egress: [{ ports: [{ port: 'http' }] }] }) });
    assert.equal(named.code, 0, named.stderr);
    assert.doesNotMatch(named.stderr, /Warning/, named.stderr);
    assert.deepEqual(JSON.parse(await kubectlOk(s, ['-n', NS, 'get', 'netpol', `${P}-all`, '-o', 'jsonpath={.spec.policyTypes}'])), ['Ingress']);

    const out = await kubectlOk(s, ['-n', NS, 'get', 'networkpolicies']);
    assert.match(out, /^NAME\s+POD-SELECTOR\s+AGE$/m, out);
    assert.match(out, new RegExp(`^${P}-web\\s+app=web\\s+\\S+$`, 'm'), out);
    assert.match(out, new RegExp(`^${P}-all\\s+<none>\\s+\\S+$`, 'm'), out);

    const bad = await s.kubectl(['-n', NS, 'create', '-f', '-'], { input: np(`${P}-bad`, { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['192.168.0.0/24'] } }], ports: [{ port: 8000, endPort: 7000 }] }] }) });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /spec\.ingress\[0\]\.from\[0\]\.ipBlock\.except\[0\]: Invalid value: "192\.168\.0\.0\/24": must be a strict subset of `cidr`/, bad.stderr);
    assert.match(bad.stderr, /spec\.ingress\[0\]\.ports\[0\]\.endPort: Invalid value: 7000: must be greater than or equal to `port`/, bad.stderr);
    // spec.podSelector is a Go struct upstream: left out, it decodes as the empty selector (all pods), never refused.
    await kubectlOk(s, ['-n', NS, 'create', '-f', '-'], { input: np(`${P}-nosel`, { ingress: [{}] }) });
    assert.equal(await kubectlOk(s, ['-n', NS, 'get', 'netpol', `${P}-nosel`, '-o', 'jsonpath={.spec.podSelector}']), '{}');
  });

  test('explain prints upstream descriptions of the networking kinds', async () => {
    const cases: [string, RegExp][] = [
      ['ingress.spec.rules', /rules is a list of host rules used to configure the Ingress/],
      ['ingress.spec.rules.http.paths.pathType', /pathType determines the interpretation of the path matching/],
      ['ingressclass.spec.controller', /controller refers to the name of the controller that should handle this class/],
      ['networkpolicy.spec.policyTypes', /policyTypes is a list of rule types that the NetworkPolicy relates to/],
    ];
    for (const [p, re] of cases) assert.match((await kubectlOk(s, ['explain', p])).replace(/\s+/g, ' '), re, p);
    assert.match(await kubectlOk(s, ['explain', 'ing']), /GROUP:\s+networking\.k8s\.io\nKIND:\s+Ingress\nVERSION:\s+v1/);
  });
});
