/**
 * `bosun agent` runs as its own bundle (scripts/bundle-agent.mjs) so a node carries only what runs on
 * it: its flag parsing (src/cli/flags, util.parseArgs) must not pull in commander, and nothing of the
 * control plane (API server, store, controllers, scheduler, control-plane assembly) may be reachable
 * from the agent's entry point. Nor the API's kind registry and its definitions (schemas, CEL, the
 * CSR signer's node-forge): a node reads objects, it does not validate them, and the whole catalogue
 * in the bundle is ~0.9 MB of source the agent parses at start (2 MiB of RSS; the Ingress controller
 * once brought it in through the client's barrel module). Components a node starts lazily (DNS,
 * Ingress) are in the bundle too, so they are held to the same rule.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { build } from 'esbuild';

test('the agent entry point reaches neither commander nor the control plane', async () => {
  const r = await build({
    entryPoints: [new URL('../../src/cli/commands/agent.ts', import.meta.url).pathname],
    bundle: true, platform: 'node', format: 'esm', write: false, metafile: true, logLevel: 'silent', outdir: '/nonexistent',
  });
  const inputs = Object.keys(r.metafile.inputs);
  assert.ok(inputs.some((f) => f.endsWith('src/cli/flags/parse-flags.ts')), 'the bundle has the flag parser');
  const banned = inputs.filter((f) => /node_modules\/(commander|node-forge|@marcbachmann\/cel-js)\/|src\/(apiserver|store|controllers|scheduler)\/|src\/cluster\/control-plane|src\/api\/(registry|cel\/)/.test(f));
  assert.deepEqual(banned, []);
});
