/**
 * Child-process entry of conformance-titles.ts: `node --import tsx list-test-titles.ts FILE...`
 * loads each test file with node:test resolved to node-test-stub.ts (a module-resolution hook) and
 * prints the titles they registered as JSON after the marker line. No test or hook body runs.
 */
import { register } from 'node:module';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { recorder } from './node-test-stub.js';

export const TITLES_MARKER = '--- test titles ---';

const stubUrl = new URL('./node-test-stub.ts', import.meta.url).href;
const hooks = `export async function resolve(specifier, context, next) {
  if (specifier === 'node:test') return { url: ${JSON.stringify(stubUrl)}, shortCircuit: true };
  return next(specifier, context);
}`;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Registered after tsx (--import), so this hook runs first and hands every other specifier on.
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
  for (const file of process.argv.slice(2)) {
    recorder.file = relative(process.cwd(), file);
    await import(pathToFileURL(file).href);
    await Promise.all(recorder.pending.splice(0));
  }
  process.stdout.write(`\n${TITLES_MARKER}\n${JSON.stringify(recorder.titles)}\n`);
  // A loaded module may hold a handle open (a timer, a pool); the titles are out, so stop here.
  process.exit(0);
}
