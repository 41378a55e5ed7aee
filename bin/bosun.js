#!/bin/sh
//bin/true; n="${BOSUN_NODE_PREFIX:-/opt/bosun/node}/bin/node"; [ -x "$n" ] || n=node; exec "$n" "$0" "$@"
// The installed entry point runs the compiled CLI (npm run build writes dist/).
//
// Bosun needs a maintained Node.js LTS (>= 22). The line above is for the shell (to node it is a
// comment): started as a program (./bin/bosun.js, `bosun` installed by npm -g) it runs on the node of
// BOSUN_NODE_PREFIX (/opt/bosun/node, where scripts/setup.sh installs a pinned LTS when the machine
// has no node >= 22) when there is one, else on the `node` first on PATH; `exec`, so no second
// process. Started by an older node directly (`node bin/bosun.js`), it re-runs itself on that LTS
// (its native modules are built for it) and passes the exit status on; without one it warns and goes
// on. Service units name the node they were installed with (process.execPath), so they start the LTS.
if (Number(process.versions.node.split('.')[0]) < 22) {
  const { existsSync, realpathSync } = await import('node:fs');
  const lts = `${process.env.BOSUN_NODE_PREFIX || '/opt/bosun/node'}/bin/node`;
  if (existsSync(lts) && realpathSync(lts) !== realpathSync(process.execPath)) {
    const { spawn } = await import('node:child_process');
    const child = spawn(lts, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => child.kill(s));
    child.on('exit', (code, signal) => (signal ? process.kill(process.pid, signal) : process.exit(code ?? 1)));
    await new Promise(() => {}); // the child's exit ends this process
  }
  process.stderr.write(`bosun: Node.js ${process.version} is past its support; Bosun needs Node.js >= 22 (scripts/setup.sh installs one into /opt/bosun/node)\n`);
}

// `bosun agent` loads only the agent's modules (not the control plane's) and runs V8 tuned for a
// small resident set, as k3s tunes GOGC for its agent: --optimize-for-size keeps the young
// generation at 1 MiB semi-spaces (instead of growing to 16 MiB each) and grows the old generation
// in smaller steps; --no-opt, --no-maglev and --no-sparkplug leave out the optimizing (Turbofan,
// and Maglev, on by default since Node 22: -8 MiB RSS on Node 24) and baseline compilers (their code
// and compile memory: -12 MiB RSS on Node 20; an idle node's code is not hot, and a pod start waits
// on containerd, not on JavaScript: the agent's CPU per pod start stayed ~20 ms). They go on node's
// command line in the re-execution below, so that V8 sizes its heap with them: set at run time
// (v8.setFlagsFromString, the fallback without execve) --optimize-for-size no longer bounds the
// young generation V8 already sized (it grew to 8 MiB, 3.4 resident, in a start-up-like churn; 2 MiB
// from the command line), and node:v8 need not load: 20 idle pods 60.25 -> 59.3 MiB RSS (means of 2
// alternated runs). --minor-ms: V8 collects the young generation by marking and sweeping it in
// place (MinorMS) instead of the scavenger's copying between two semi-spaces, which keeps an empty
// semi-space as large as the live one: 59.3 -> 58.3 MiB (means of 2 alternated runs; 1 MiB young
// generation resident instead of 2 in the churn above). BOSUN_AGENT_V8_FLAGS replaces them ("" for
// V8's defaults).
// Some settings only take effect when the process starts, so the agent re-executes itself once with
// them (process.execve: same pid, nothing else has run yet): --jitless (V8 without any code
// generation: no executable code range, regexps interpreted, no WebAssembly, which the agent does
// not use) and glibc's MALLOC_ARENA_MAX=2 (libuv's and V8's threads otherwise each grow their own
// malloc arena). On Node 24 with 20 idle pods they took the agent from 69.8 to 67.8 MiB RSS (means
// of 5 and 4 runs of bench/pod-start.bench.ts; -1.2 to -1.5 MiB each alone; pod starts within noise).
// --no-node-snapshot: node bootstraps by running its bootstrap scripts instead of deserializing its
// startup snapshot, whose ~5 MiB in the binary's read-only data otherwise stay resident (the
// snapshot is read whole), and builds a smaller heap: -3.3 MiB RSS, ~40 ms more to start.
// BOSUN_AGENT_NODE_FLAGS replaces those node flags; a MALLOC_ARENA_MAX already set is kept.
// jemalloc (Debian's libjemalloc2, which scripts/setup.sh installs), preloaded by that re-execution
// when the machine has it: glibc's malloc returns only the top of its heap, so the ~5 MiB that
// start-up (join, image pulls, 20 pods' first syncs) allocates and frees stayed resident for the
// agent's life; jemalloc with one arena and immediate purging hands freed pages back (madvise).
// BOSUN_AGENT_MALLOC=glibc keeps glibc's; an LD_PRELOAD already set is kept, as is MALLOC_CONF.
// `bosun server` keeps V8's defaults: its API server is throughput-bound.
if (process.argv[2] === 'agent') {
  const nodeFlags = (process.env.BOSUN_AGENT_NODE_FLAGS ?? '--jitless --no-node-snapshot').split(/\s+/).filter(Boolean);
  const v8Flags = (process.env.BOSUN_AGENT_V8_FLAGS ?? '--optimize-for-size --no-opt --no-maglev --no-sparkplug --minor-ms').split(/\s+/).filter(Boolean);
  // Builtins through process.getBuiltinModule (Node >= 22.3), not import(): an ESM import builds the
  // builtin's ESM facade, which reads every export: node:fs's would load fs/promises, the fs streams
  // and Utf8Stream, node's sources compiled and kept for nothing (scripts/bundle-agent.mjs).
  const builtin = async (name) => process.getBuiltinModule?.(name) ?? await import(name);
  if (process.env.BOSUN_AGENT_REEXEC === undefined && typeof process.execve === 'function') {
    const { existsSync } = await builtin('node:fs');
    const env = { ...process.env };
    const added = [];
    const add = (name, value) => { if (env[name] === undefined) { env[name] = value; added.push(name); } };
    add('MALLOC_ARENA_MAX', '2');
    const jemalloc = env.BOSUN_AGENT_MALLOC === 'glibc' || env.LD_PRELOAD ? undefined
      : ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'].map((d) => `${d}/libjemalloc.so.2`).find((f) => existsSync(f));
    if (jemalloc) {
      add('LD_PRELOAD', jemalloc);
      add('MALLOC_CONF', 'narenas:1,tcache:false,dirty_decay_ms:0,muzzy_decay_ms:0');
    }
    // node parses NODE_EXTRA_CA_CERTS at start and keeps every certificate for life (a system
    // bundle: ~140 certificates, ~2 MiB of OpenSSL allocations); the agent verifies only its
    // cluster's CA, given with --server/join, and containerd pulls images, so it is set aside for
    // the re-execution and handed back to what the agent starts.
    if (env.NODE_EXTRA_CA_CERTS) {
      env.BOSUN_AGENT_EXTRA_CA = env.NODE_EXTRA_CA_CERTS;
      delete env.NODE_EXTRA_CA_CERTS;
    }
    env.BOSUN_AGENT_REEXEC = added.join(',');
    try {
      process.execve(process.execPath, [process.execPath, ...nodeFlags, ...v8Flags, ...process.execArgv, ...process.argv.slice(1)], env);
    } catch { /* a platform without execve(2): run as started */ }
  }
  // What the agent starts (containerd, runc, CNI plugins, probes' helpers) gets the environment it
  // was given: the settings the re-execution added are this process's own.
  const reexecuted = process.env.BOSUN_AGENT_REEXEC !== undefined;
  for (const name of (process.env.BOSUN_AGENT_REEXEC ?? '').split(',')) if (name) delete process.env[name];
  delete process.env.BOSUN_AGENT_REEXEC;
  if (process.env.BOSUN_AGENT_EXTRA_CA) process.env.NODE_EXTRA_CA_CERTS = process.env.BOSUN_AGENT_EXTRA_CA;
  delete process.env.BOSUN_AGENT_EXTRA_CA;
  // Re-executed, node had the V8 flags on its command line; otherwise they are set before the agent loads.
  if (!reexecuted && v8Flags.length) (await builtin('node:v8')).setFlagsFromString(v8Flags.join(' '));
  // The bundle (npm run build makes it) when present: one minified module, less resident code.
  const { existsSync } = await builtin('node:fs');
  const bundle = new URL('../dist/bundles/agent.mjs', import.meta.url);
  const { agentMain } = await import(existsSync(bundle) ? bundle.href : '../dist/cli/commands/agent.js');
  await agentMain(process.argv);
} else {
  await import('../dist/cli/main.js');
}
