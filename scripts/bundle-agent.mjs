// Bundles `bosun agent` into one minified module (dist/bundles/agent.mjs). A node agent's resident
// set is mostly the node binary plus module code and source text: one minified file instead of ~150
// modules and their dependencies saves ~2.5 MiB of RSS on every node.
// bin/bosun.js runs the bundle when it exists and the unbundled dist/ otherwise.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';

/**
 * Node's builtins through require() instead of `import`. An ESM import of a builtin makes node build
 * its ESM facade, which reads every export once, getters included: `tls.rootCertificates` turns
 * the ~140 bundled root certificates into JS strings, `crypto.webcrypto` loads WebCrypto, and so
 * on, none of which the agent uses (~0.2 MiB of the agent's V8 heap). A CommonJS require() hands
 * over the exports object as is.
 * Each builtin is one ESM module (`export *` of the required object, plus it as the default) that
 * every importer shares: esbuild's CommonJS interop (__toESM) copies an object's every property as
 * a getter closure, and imported straight from each of the ~60 modules that use node:fs, node:path,
 * node:net... it made ~5,500 of them (fs alone: 35 copies of 108); shared, ~1,100.
 */
const builtinsViaRequire = {
  name: 'builtins-via-require',
  setup(b) {
    // The shared module's own import of the builtin is the require() below; everyone else's is the shared module.
    b.onResolve({ filter: /^node:/, namespace: 'builtin-esm' }, (args) => ({ path: args.path, namespace: 'builtin-require' }));
    b.onResolve({ filter: /^node:/ }, (args) =>
      args.kind === 'import-statement' || args.kind === 'dynamic-import' ? { path: args.path, namespace: 'builtin-esm' } : undefined);
    b.onLoad({ filter: /.*/, namespace: 'builtin-esm' }, (args) => {
      const path = JSON.stringify(args.path);
      return { contents: `import m from ${path}; export * from ${path}; export default m;`, loader: 'js' };
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin-require' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

mkdirSync('dist/bundles', { recursive: true });
await build({
  entryPoints: ['dist/cli/commands/agent.js'],
  outfile: 'dist/bundles/agent.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [builtinsViaRequire],
  // Bundled CommonJS dependencies (dns-packet) and the builtins above call require(); give ESM one.
  banner: { js: "import { createRequire as __bosunRequire } from 'node:module'; const require = __bosunRequire(import.meta.url);" },
});
