/**
 * Which of node's own modules `bosun agent` compiles: each builtin loaded is compiled from its source
 * in the node binary (its pages then resident) and its code and objects kept in the V8 heap for the
 * agent's life (docs/architecture.md, "Memory of `bosun agent`"). Node 24 defines many exports as
 * lazy data properties, loaded on first read; reading every export (an ESM import's facade of a
 * builtin, esbuild's CommonJS interop copying each property's descriptor) loads modules nobody
 * calls. The agent loads through the launcher (bin/bosun.js) and its bundle (scripts/bundle-agent.mjs)
 * none of those. Needs `npm run build`.
 * The report hook takes its builtins through process.getBuiltinModule, so it loads none itself.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';

const BIN = new URL('../../bin/bosun.js', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'bosun-agent-builtins-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const report = join(tmp, 'report.mjs');
writeFileSync(report, `
process.on('exit', () => process.stderr.write('modules ' + JSON.stringify(process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13))) + '\\n'));
`);

/** The builtins the re-executed agent process had loaded when `bosun agent --help` exited. */
function agentBuiltins(): string[] {
  const env: Record<string, string | undefined> = { ...process.env, NODE_OPTIONS: `--import=${pathToFileURL(report).href}` };
  for (const k of ['BOSUN_AGENT_NODE_FLAGS', 'BOSUN_AGENT_V8_FLAGS', 'BOSUN_AGENT_REEXEC']) delete env[k];
  const r = spawnSync(BIN, ['agent', '--help'], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Usage: bosun agent/);
  const lists = [...r.stderr.matchAll(/^modules (.*)$/gm)].map((m) => JSON.parse(m[1]!) as string[]);
  assert.equal(lists.length, 1, 'one process exits: the re-executed agent');
  return lists[0]!;
}

test('the agent loads its bundle without the builtins only an export-reading import would load', () => {
  const loaded = agentBuiltins();
  // The agent's own use, so that the check sees a loaded agent: the CRI's HTTP/2, its flag parser.
  for (const m of ['http2', 'internal/util/parse_args/parse_args', 'child_process']) assert.ok(loaded.includes(m), `${m} is loaded`);
  // Lazy exports of node:util (diff, setTraceSigInt -> worker_threads) and node:fs (Utf8Stream, ReadStream).
  // node:v8 only set the V8 flags, which the re-execution puts on node's command line.
  const unused = ['worker_threads', 'internal/worker', 'internal/util/diff', 'internal/util/trace_sigint', 'internal/streams/fast-utf8-stream', 'internal/fs/streams', 'v8'];
  assert.deepEqual(loaded.filter((m) => unused.includes(m)), []);
});
