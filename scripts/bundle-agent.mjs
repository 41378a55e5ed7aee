// Bundles `bosun agent` into one minified module (dist/bundles/agent.mjs, with the CRI proto beside
// it). A node agent's resident set is mostly the node binary plus module code and source text: one
// minified file instead of ~150 modules and their dependencies saves ~2.5 MiB of RSS on every node.
// bin/bosun.js runs the bundle when it exists and the unbundled dist/ otherwise.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';

/**
 * long.js (protobufjs's int64 type) compiles a small WebAssembly module when it loads, for i64
 * multiply/divide. Compiling WebAssembly pulls V8's wasm decoder, Liftoff and (for the JS-to-wasm
 * wrappers and tier-up) TurboFan into memory: 1-3 MiB of the node binary stays resident for the
 * life of the agent, for the int64 -> decimal string conversions (Long#toString) of CRI
 * timestamps. long.js's own JavaScript fallback does them too: ~30 us instead of ~5 us each under
 * the agent's V8 flags, i.e. ~1 ms per relist of 20 pods, nothing at idle. A local `WebAssembly`
 * binding makes its probe fail the way it does on a runtime without WebAssembly.
 */
const longWithoutWasm = {
  name: 'long-without-wasm',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]long[\\/].*\.js$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      if (!src.includes('new WebAssembly.Instance')) return undefined;
      return { contents: `const WebAssembly = undefined; // see longWithoutWasm in scripts/bundle-agent.mjs\n${src}`, loader: 'js' };
    });
  },
};

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
  plugins: [longWithoutWasm, builtinsViaRequire],
  // Bundled CommonJS dependencies (protobufjs, dns-packet) and the builtins above call require(); give ESM one.
  banner: { js: "import { createRequire as __bosunRequire } from 'node:module'; const require = __bosunRequire(import.meta.url);" },
});
// The CRI client finds its proto next to the module that loads it.
cpSync('dist/agent/runtime/cri/api.proto', 'dist/bundles/api.proto');
cpSync('dist/agent/device-plugins/deviceplugin-v1beta1.proto', 'dist/bundles/deviceplugin-v1beta1.proto');
