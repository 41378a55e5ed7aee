// Bundles `bosun agent` into one minified module (dist/bundles/agent.mjs, with the CRI proto beside
// it). A node agent's resident set is mostly the node binary plus module code and source text: one
// minified file instead of ~150 modules and their dependencies saves ~2.5 MiB of RSS on every node.
// bin/bosun.js runs the bundle when it exists and the unbundled dist/ otherwise.
import { build } from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';

mkdirSync('dist/bundles', { recursive: true });
await build({
  entryPoints: ['dist/cli/commands/agent.js'],
  outfile: 'dist/bundles/agent.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  // Bundled CommonJS dependencies (protobufjs, pino, commander) call require(); give ESM one.
  banner: { js: "import { createRequire as __bosunRequire } from 'node:module'; const require = __bosunRequire(import.meta.url);" },
});
// The CRI client finds its proto next to the module that loads it.
cpSync('dist/agent/runtime/cri/api.proto', 'dist/bundles/api.proto');
