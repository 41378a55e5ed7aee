// Bundles `bosun agent` into one minified module (dist/bundles/agent.mjs). A node agent's resident
// set is mostly the node binary plus module code and source text: one minified file instead of ~150
// modules and their dependencies saves ~2.5 MiB of RSS on every node.
// bin/bosun.js runs the bundle when it exists and the unbundled dist/ otherwise.
import { build } from 'esbuild';
import { mkdirSync, readFileSync } from 'node:fs';

/**
 * Node's builtins through require() instead of `import`. An ESM import of a builtin makes node build
 * its ESM facade, which reads every export once, getters included: `tls.rootCertificates` turns
 * the ~140 bundled root certificates into JS strings, `crypto.webcrypto` loads WebCrypto, and so
 * on, none of which the agent uses (~0.2 MiB of the agent's V8 heap). A CommonJS require() hands
 * over the exports object as is.
 * Each builtin is one ESM module that every importer shares, exporting the object as its default
 * and, as named exports, only the names the bundle's modules import from it (`importedNames`).
 * Not `export *` through esbuild's CommonJS interop (__toESM): that copies every property as a
 * getter closure, and reads each property's descriptor, which on Node 24 materialises node's lazy
 * exports: `node:util`'s loaded parseArgs' and util.diff's modules and worker_threads (for
 * setTraceSigInt), `node:fs`'s the Utf8Stream and ReadStream modules, ~130 KiB of builtin source
 * compiled for nothing. A builtin some module takes whole (`import * as`, `import()`) keeps the
 * interop.
 */
function builtinsViaRequire(names) {
  return {
    name: 'builtins-via-require',
    setup(b) {
      // The shared module's own import of the builtin is the require() below; everyone else's is the shared module.
      b.onResolve({ filter: /^node:/, namespace: 'builtin-esm' }, (args) => ({ path: args.path, namespace: 'builtin-require' }));
      b.onResolve({ filter: /^node:/ }, (args) =>
        args.kind === 'import-statement' || args.kind === 'dynamic-import' ? { path: args.path, namespace: 'builtin-esm' } : undefined);
      b.onLoad({ filter: /.*/, namespace: 'builtin-esm' }, (args) => {
        const path = JSON.stringify(args.path);
        const named = names?.get(args.path);
        if (!named) return { contents: `import m from ${path}; export * from ${path}; export default m;`, loader: 'js' };
        const exports = [...named].map((n) => `export const ${n} = m.${n};`).join('\n');
        return { contents: `const m = require(${path});\nexport default m;\n${exports}`, loader: 'js' };
      });
      b.onLoad({ filter: /.*/, namespace: 'builtin-require' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
    },
  };
}

/**
 * The names each node builtin is imported by, from the bundle's ESM inputs (tsc's output and ESM
 * packages): `import d, { a, b as c } from 'node:x'` needs `a` and `b`; a namespace import, a
 * dynamic import() or an export-from needs all of it (the builtin is left out of the map).
 */
function importedNames(inputs) {
  const names = new Map();
  const whole = new Set();
  for (const file of inputs) {
    if (!/\.m?js$/.test(file)) continue;
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/\b(import|export)\b([^;'"]*?)\bfrom\s*['"](node:[^'"]+)['"]/g)) {
      const [, kw, clause, spec] = m;
      const braces = /^\s*(?:[\w$]+\s*,\s*)?\{([^}]*)\}\s*$/.exec(clause);
      if (kw === 'export' || /\*/.test(clause) || (!braces && !/^\s*[\w$]+\s*$/.test(clause))) { whole.add(spec); continue; }
      const set = names.get(spec) ?? new Set();
      for (const part of (braces?.[1] ?? '').split(',')) {
        const name = part.trim().split(/\s+as\s+/)[0];
        if (name) set.add(name);
      }
      names.set(spec, set);
    }
    for (const m of src.matchAll(/\bimport\s*\(\s*['"](node:[^'"]+)['"]\s*\)/g)) whole.add(m[1]);
  }
  for (const spec of whole) names.delete(spec);
  return names;
}

mkdirSync('dist/bundles', { recursive: true });
const options = {
  entryPoints: ['dist/cli/commands/agent.js'],
  outfile: 'dist/bundles/agent.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  // Bundled CommonJS dependencies (dns-packet) and the builtins above call require(); give ESM one.
  banner: { js: "import { createRequire as __bosunRequire } from 'node:module'; const require = __bosunRequire(import.meta.url);" },
};
// A first pass finds the bundle's inputs, whose imports of node builtins the second one exports.
const inputs = await build({ ...options, write: false, metafile: true, plugins: [builtinsViaRequire()] });
await build({ ...options, plugins: [builtinsViaRequire(importedNames(Object.keys(inputs.metafile.inputs)))] });
