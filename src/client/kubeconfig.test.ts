/** Kubeconfigs in YAML (what kubectl writes) and JSON (what node joins write) read the same. */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { parseKubeconfig } from './kubeconfig.js';

const doc = {
  apiVersion: 'v1', kind: 'Config',
  clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from('CA').toString('base64') } }],
  users: [{ name: 'u', user: { 'client-certificate-data': Buffer.from('CERT').toString('base64'), 'client-key-data': Buffer.from('KEY').toString('base64') } }],
  contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
  'current-context': 'x',
};

test('a JSON kubeconfig and its YAML form give the same connection', () => {
  const fromJson = parseKubeconfig(JSON.stringify(doc, null, 2), '/');
  const fromYaml = parseKubeconfig(stringify(doc), '/');
  assert.deepEqual(fromJson, fromYaml);
  assert.equal(fromJson.server, 'https://127.0.0.1:6443');
  assert.equal(String(fromJson.cert), 'CERT');
});

test('flow-style YAML that is not JSON still parses', () => {
  const flow = `{apiVersion: v1, kind: Config, clusters: [{name: c, cluster: {server: "https://h:1"}}], users: [{name: u, user: {token: t}}], contexts: [{name: x, context: {cluster: c, user: u}}], current-context: x}`;
  const cfg = parseKubeconfig(flow, '/');
  assert.equal(cfg.server, 'https://h:1');
  assert.equal(cfg.token, 't');
});
