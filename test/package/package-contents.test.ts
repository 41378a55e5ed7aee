/**
 * The npm package holds product code only and can run (issue 12): package.json lists what it ships
 * (`files`: bin/ and dist/; npm would otherwise fall back to .gitignore, which excludes dist/), and
 * the build (tsconfig.json, what dist/ is made of) compiles no test support: no src/testing, no
 * testing/ helpers elsewhere, contract suites, fixtures, fakes or fuzz inputs, which it would if a product
 * module imported one. package-install.test.ts goes further (scripts/check-package.sh: npm pack, a
 * global install from the tarball, `bosun server` to /readyz).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const ROOT = new URL('../..', import.meta.url).pathname;
const TEST_SUPPORT = [/\.test\.ts$/, /^src\/testing\//, /\/testing\//, /\/testdata\//, /\/fuzz\//, /\/fake\//, /\/fake-[^/]+\.ts$/, /contract\.ts$/, /\/fixtures\.ts$/];

test('package.json ships bin/ and dist/ (without source maps), and bin/bosun.js only loads dist/', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files?: string[]; bin: Record<string, string>; dependencies: Record<string, string> };
  assert.deepEqual(pkg.files, ['bin/', 'dist/', '!dist/**/*.map']);
  assert.equal(pkg.bin.bosun, 'bin/bosun.js');
  const bin = readFileSync(join(ROOT, 'bin/bosun.js'), 'utf8');
  const loads = [...bin.matchAll(/(?:import\(|new URL\()\s*'([^']+)'/g)].map((m) => m[1]!).filter((p) => p.startsWith('.'));
  assert.ok(loads.length > 0);
  for (const p of loads) assert.match(p, /^\.\.\/dist\//, `bin/bosun.js loads ${p}, which is not shipped`);
  assert.equal(pkg.dependencies['@grpc/grpc-js'], undefined, 'only tests use @grpc/grpc-js (etcd3 brings its own)');
});

test('the build compiles no test support into dist/', () => {
  const files = execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.json'), '--listFilesOnly'], { encoding: 'utf8' })
    .split('\n').filter((f) => f.startsWith(join(ROOT, 'src'))).map((f) => relative(ROOT, f));
  assert.ok(files.includes('src/cli/main.ts'), 'the listing has the product');
  const leaked = files.filter((f) => TEST_SUPPORT.some((re) => re.test(f)));
  assert.deepEqual(leaked, [], 'test support in the build (excluded in tsconfig.json, or imported by product code)');
});
