// Bundles the web console (console/src, Preact + htm, xterm.js) into dist/console: one minified ES
// module, its stylesheet and xterm's, and index.html. Served by the API server under /console/
// (src/apiserver/console/console-handler.ts); shipped in the npm package with the rest of dist/.
// Prints the gzipped size of the page's JavaScript (the bench checks it against 300 KB).
import { build } from 'esbuild';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

mkdirSync('dist/console', { recursive: true });
await build({
  entryPoints: ['console/src/main.ts'],
  outfile: 'dist/console/app.js',
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: ['chrome115', 'firefox115', 'safari16'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  // No eval, no Function(): the page runs under script-src 'self'.
  supported: { 'dynamic-import': true },
});
cpSync('console/index.html', 'dist/console/index.html');
cpSync('console/style.css', 'dist/console/style.css');
cpSync('node_modules/@xterm/xterm/css/xterm.css', 'dist/console/xterm.css');
if (process.argv.includes('--size')) {
  const js = readFileSync('dist/console/app.js');
  console.log(`console: app.js ${js.length} bytes, ${gzipSync(js).length} gzipped`);
}
