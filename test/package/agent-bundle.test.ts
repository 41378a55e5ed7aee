/**
 * `bosun agent` runs as its own bundle (scripts/bundle-agent.mjs) so a node carries only what runs on
 * it: its flag parsing (src/cli/flags, util.parseArgs) must not pull in commander, and nothing of the
 * control plane (API server, store, controllers, scheduler, control-plane assembly) may be reachable
 * from the agent's entry point.
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
  const banned = inputs.filter((f) => /node_modules\/commander\/|src\/(apiserver|store|controllers|scheduler)\/|src\/cluster\/control-plane/.test(f));
  assert.deepEqual(banned, []);
});
