/**
 * V8 heap flags for `bosun server`. From Node 22 (V8 12) the young generation may grow to 64 MiB
 * semi-spaces, three of them resident, where Node 20's stopped at 16 MiB: on Node 24 the API server
 * with 10,000 pods stored rose from ~225 MB to ~325 MB RSS (bench/apiserver.bench.ts, target
 * < 300 MB), with a few percent less CPU per create. `--max-semi-space-size=16` restores Node 20's
 * bound. Heap sizes are fixed when V8 starts (v8.setFlagsFromString has no effect on them later), so
 * the server re-executes itself with the flags through process.execve: same pid, same open
 * descriptors, nothing opened yet. BOSUN_SERVER_V8_FLAGS replaces the flags ("" for V8's defaults);
 * flags already given to node (its command line or NODE_OPTIONS) are left as they are.
 */
const DEFAULT_FLAGS = '--max-semi-space-size=16';

/** The flags still to add: those whose name is in neither node's command line nor NODE_OPTIONS. */
export function missingServerHeapFlags(env: NodeJS.ProcessEnv, execArgv: readonly string[]): string[] {
  const wanted = (env.BOSUN_SERVER_V8_FLAGS ?? DEFAULT_FLAGS).split(/\s+/).filter(Boolean);
  const given = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)].map((f) => f.split('=')[0]!.replaceAll('_', '-'));
  return wanted.filter((f) => !given.includes(f.split('=')[0]!.replaceAll('_', '-')));
}

/** Re-executes this process with the server's heap flags when they are missing (never returns then). */
export function execWithServerHeapFlags(): void {
  const flags = missingServerHeapFlags(process.env, process.execArgv);
  if (flags.length === 0 || typeof process.execve !== 'function') return;
  process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)], process.env);
}
