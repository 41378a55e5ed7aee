/**
 * Bosun's conformance tests carry upstream's codenames, so a run can be matched test by test against
 * Kubernetes v1.32's conformance list (testdata/conformance-v1.32-codenames.txt): every test or
 * suite title under src/ and test/e2e that carries [Conformance] must be exactly one codename,
 * claimed by one test. Prints how many of the 408 are covered; docs/conformance.md lists the rest
 * and must agree. No server starts: the test files are loaded in a child node with node:test
 * stubbed (testing/list-test-titles.ts), about 2 s.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkTitles, collectTestTitles, conformanceTestFiles, readCodenames, REPO_ROOT } from './testing/conformance-titles.js';

const codenames = readCodenames();

/** The codenames docs/conformance.md lists under its "Not ported" heading. */
function documentedMissing(): string[] {
  const doc = readFileSync(join(REPO_ROOT, 'docs/conformance.md'), 'utf8');
  const section = doc.split(/^## /m).find((s) => s.startsWith('Not ported')) ?? '';
  return [...section.matchAll(/^- `(\[sig-[^`]+)`/gm)].map((m) => m[1]!);
}

function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-conformance-names-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the vendored list holds 408 distinct v1.32 codenames', () => {
  assert.equal(codenames.length, 408);
  assert.equal(new Set(codenames).size, 408);
  for (const c of codenames) assert.match(c, /^\[sig-[a-z]+(-[a-z]+)*\] \S.* \[Conformance\]$/, c);
});

test('every test title carrying [Conformance] is exactly one upstream v1.32 codename', (t) => {
  const { files, errors: fileErrors } = conformanceTestFiles();
  const { errors, covered } = checkTitles(collectTestTitles(files), codenames);
  assert.deepEqual([...fileErrors, ...errors], []);
  const missing = codenames.filter((c) => !covered.has(c));
  t.diagnostic(`${covered.size} of ${codenames.length} upstream v1.32 conformance tests covered (${files.length} test files); not ported: ${missing.length}`);
  for (const m of missing) t.diagnostic(`not ported: ${m}`);
  // The doc's list is the computed one: a port that lands, or a test that loses its name, shows here.
  assert.deepEqual(documentedMissing(), missing, 'docs/conformance.md "Not ported" must list exactly the codenames no test covers');
});

test('a misspelled, prefix-style, duplicated or skipped title is caught; a table-built one is seen expanded', () => {
  const [titles, errors, covered] = withTempDir((dir) => {
    const file = join(dir, 'names.test.ts');
    writeFileSync(file, [
      "import { describe, it, test } from 'node:test';",
      "test('[sig-api-machinery] Watchers should receive events on concurrent watches in same ordr [Conformance]', () => {});",
      "describe('[sig-node] Pods', () => { it('[Conformance] Pods should be updated', () => {}); });",
      'for (const kind of [\'secret\', \'configMap\']) {',
      '  test(`[sig-api-machinery] ResourceQuota should create a ResourceQuota and capture the life of a ${kind}. [Conformance]`, () => {});',
      '}',
      "test('[sig-api-machinery] ResourceQuota should create a ResourceQuota and capture the life of a secret. [Conformance]', () => {});",
      "test.skip('[sig-node] Pods should get a host IP [NodeConformance] [Conformance]', () => {});",
      '',
    ].join('\n'));
    const recorded = collectTestTitles([file]);
    return [recorded, ...Object.values(checkTitles(recorded, codenames))] as [typeof recorded, string[], Set<string>];
  });
  assert.equal(titles.length, 7, 'the suite and the two loop iterations are recorded too');
  assert.equal(errors.length, 3, errors.join('\n'));
  assert.match(errors[0]!, /in same ordr \[Conformance\]" is not an upstream v1\.32 conformance codename$/);
  assert.match(errors[1]!, /"\[Conformance\] Pods should be updated" .* \(upstream: "\[sig-node\] Pods should be updated \[NodeConformance\] \[Conformance\]"\)$/);
  assert.match(errors[2]!, /life of a secret\. \[Conformance\]" is already claimed/);
  assert.deepEqual([...covered].sort(), [
    '[sig-api-machinery] ResourceQuota should create a ResourceQuota and capture the life of a configMap. [Conformance]',
    '[sig-api-machinery] ResourceQuota should create a ResourceQuota and capture the life of a secret. [Conformance]',
  ], 'a skipped test covers nothing');
});

test('a helper holding [Conformance] that no test file imports is reported', () => {
  const { files, errors } = withTempDir((root) => {
    mkdirSync(join(root, 'src'));
    mkdirSync(join(root, 'test/e2e'), { recursive: true });
    writeFileSync(join(root, 'src/used.ts'), "export const t = '[Conformance]';\n");
    writeFileSync(join(root, 'src/orphan.ts'), "export const t = '[Conformance]';\n");
    writeFileSync(join(root, 'test/e2e/a.test.ts'), "import { t } from '../../src/used.js';\nvoid t;\n");
    return conformanceTestFiles(root);
  });
  assert.deepEqual(files, ['test/e2e/a.test.ts']);
  assert.deepEqual(errors, ['src/orphan.ts holds [Conformance] but no test file imports it']);
});
