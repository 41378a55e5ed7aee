/**
 * Which upstream conformance tests Bosun's tests claim by name: the vendored v1.32 codenames
 * (../testdata), the test files that register a title carrying the [Conformance] tag, the titles
 * those files register (loaded in a child process with node:test stubbed, so a title built from a
 * template or a table is seen as the runner sees it), and the check that each such title is exactly
 * one upstream codename.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TITLES_MARKER } from './list-test-titles.js';
import type { RecordedTitle } from './node-test-stub.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CODENAMES_FILE = join(REPO_ROOT, 'src/conformance/testdata/conformance-v1.32-codenames.txt');
const TAG = '[Conformance]';
/** The trees whose tests can claim an upstream conformance test. */
const TREES = ['src', 'test/e2e'];
/** This checker's own files: they hold the tag as data, not as a test title. */
const CHECKER_FILES = new Set([
  'src/conformance/conformance-names.test.ts',
  'src/conformance/testing/conformance-titles.ts',
  'src/conformance/testing/list-test-titles.ts',
  'src/conformance/testing/node-test-stub.ts',
]);

/** The codenames of the vendored list: every line that is neither blank nor a `#` comment. */
export function readCodenames(file = CODENAMES_FILE): string[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'testdata' ? [] : tsFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * The test files to load to see every title carrying the tag: each *.test.ts holding the tag, and
 * for a helper holding it (a module whose functions call it()), the test files that import it,
 * directly or through other helpers. A helper no test file reaches is an error: its titles never
 * run. Paths are relative to `root`.
 */
export function conformanceTestFiles(root = REPO_ROOT): { files: string[]; errors: string[] } {
  const all = TREES.flatMap((t) => tsFiles(join(root, t))).map((p) => relative(root, p));
  const importers = new Map<string, string[]>();
  for (const file of all) {
    for (const m of readFileSync(join(root, file), 'utf8').matchAll(/from '(\.\.?\/[^']+)\.js'/g)) {
      const target = relative(root, resolve(root, dirname(file), `${m[1]}.ts`));
      importers.set(target, [...(importers.get(target) ?? []), file]);
    }
  }
  const files = new Set<string>();
  const errors: string[] = [];
  const tagged = all.filter((f) => !CHECKER_FILES.has(f) && readFileSync(join(root, f), 'utf8').includes(TAG));
  for (const file of tagged) {
    const seen = new Set<string>();
    const reached: string[] = [];
    const queue = [file];
    while (queue.length > 0) {
      const f = queue.shift()!;
      if (seen.has(f)) continue;
      seen.add(f);
      if (f.endsWith('.test.ts')) reached.push(f);
      else queue.push(...(importers.get(f) ?? []));
    }
    if (reached.length === 0) errors.push(`${file} holds ${TAG} but no test file imports it`);
    for (const f of reached) files.add(f);
  }
  return { files: [...files].sort(), errors };
}

/** The titles `files` register, loaded from `root` by list-test-titles.ts in a child node. */
export function collectTestTitles(files: string[], root = REPO_ROOT): RecordedTitle[] {
  const lister = fileURLToPath(new URL('./list-test-titles.ts', import.meta.url));
  const out = execFileSync(process.execPath, ['--import', 'tsx', lister, ...files], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  const at = out.lastIndexOf(`${TITLES_MARKER}\n`);
  if (at < 0) throw new Error(`list-test-titles.ts printed no titles:\n${out}`);
  return JSON.parse(out.slice(at + TITLES_MARKER.length + 1)) as RecordedTitle[];
}

/** Tags such as [sig-node], [Serial] or [LinuxOnly] removed: how a near miss is recognised. */
const untagged = (s: string): string => s.replace(/\[[^\]]*\]/g, ' ').replace(/\s+/g, ' ').trim();

/**
 * Every title carrying the tag must be exactly one codename, claimed by one test only. Returns the
 * problems (with the codename meant, where only the tags differ) and the codenames covered by a
 * test that runs (not skipped).
 */
export function checkTitles(titles: RecordedTitle[], codenames: string[]): { errors: string[]; covered: Set<string> } {
  const known = new Set(codenames);
  const byText = new Map(codenames.map((c) => [untagged(c), c]));
  const claimed = new Map<string, string>();
  const errors: string[] = [];
  const covered = new Set<string>();
  for (const { title, file, skipped } of titles) {
    if (!title.includes(TAG)) continue;
    if (!known.has(title)) {
      const meant = byText.get(untagged(title));
      errors.push(`${file}: "${title}" is not an upstream v1.32 conformance codename${meant ? ` (upstream: "${meant}")` : ''}`);
      continue;
    }
    const other = claimed.get(title);
    if (other !== undefined) errors.push(`${file}: "${title}" is already claimed by a test in ${other}`);
    claimed.set(title, file);
    if (!skipped) covered.add(title);
  }
  return { errors, covered };
}
