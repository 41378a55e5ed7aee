#!/usr/bin/env node
// The installed entry point runs the compiled CLI (npm run build writes dist/).
//
// `bosun agent` loads only the agent's modules (not the control plane's) and runs V8 tuned for a
// small resident set, as k3s tunes GOGC for its agent: --optimize-for-size keeps the young
// generation at 1 MiB semi-spaces (instead of growing to 16 MiB each) and grows the old generation
// in smaller steps; --no-opt and --no-sparkplug leave out the optimizing and baseline compilers
// (their code and compile memory: -12 MiB RSS; an idle node's code is not hot, and a pod start
// waits on containerd, not on JavaScript: the agent's CPU per pod start stayed ~20 ms). They are set
// here, before any agent module loads, rather than by re-executing node with flags, which would
// keep a second node process alive. BOSUN_AGENT_V8_FLAGS replaces them ("" for V8's defaults).
// `bosun server` keeps V8's defaults: its API server is throughput-bound.
if (process.argv[2] === 'agent') {
  const flags = process.env.BOSUN_AGENT_V8_FLAGS ?? '--optimize-for-size --no-opt --no-sparkplug';
  if (flags.trim()) (await import('node:v8')).setFlagsFromString(flags);
  // The bundle (npm run build makes it) when present: one minified module, less resident code.
  const { existsSync } = await import('node:fs');
  const bundle = new URL('../dist/bundles/agent.mjs', import.meta.url);
  const { agentMain } = await import(existsSync(bundle) ? bundle.href : '../dist/cli/commands/agent.js');
  await agentMain(process.argv);
} else {
  await import('../dist/cli/main.js');
}
