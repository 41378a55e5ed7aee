/** The kubelet's image GC flags on `bosun agent` (parseAgentArgs) and `bosun server` (commander), with its validation. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import { parseAgentArgs } from './agent.js';
import { registerServerCommand, type ServerCommandOptions } from './server.js';

const base = ['--server', 'https://10.0.0.1:6443'];

test('bosun agent: image GC flags parse to percents and milliseconds, absent ones stay absent (defaults downstream)', () => {
  const cases: Array<[string[], object | RegExp]> = [
    [[], {}],
    [['--image-gc-high-threshold', '90', '--image-gc-low-threshold', '70'], { imageGcHighThreshold: 90, imageGcLowThreshold: 70 }],
    [['--image-minimum-gc-age', '1m30s', '--image-maximum-gc-age', '2h'], { imageMinimumGcAge: 90_000, imageMaximumGcAge: 7_200_000 }],
    // kubelet: high 100 turns image GC off; low must stay below high (default low 80).
    [['--image-gc-high-threshold', '100'], { imageGcHighThreshold: 100 }],
    [['--image-gc-high-threshold', '80'], /imageGCLowThresholdPercent \(--image-gc-low-threshold\) 80 must be less than imageGCHighThresholdPercent \(--image-gc-high-threshold\) 80/],
    [['--image-gc-low-threshold', '101'], /'--image-gc-low-threshold <percent>' argument '101' is invalid/],
    [['--image-gc-high-threshold', '8.5'], /argument '8.5' is invalid/],
    [['--image-minimum-gc-age', 'soon'], /'--image-minimum-gc-age <duration>' argument 'soon' is invalid/],
    [['--image-maximum-gc-age', '2m'], /imageMaximumGCAge 2m0s must be greater than imageMinimumGCAge 2m0s/],
  ];
  for (const [args, want] of cases) {
    const r = parseAgentArgs([...base, ...args]);
    if (want instanceof RegExp) {
      assert.ok('error' in r, args.join(' '));
      assert.match(r.error, want);
    } else {
      assert.ok('options' in r, `${args.join(' ')}: ${JSON.stringify(r)}`);
      const gc = Object.fromEntries(Object.entries(r.options).filter(([k]) => k.startsWith('image')));
      assert.deepEqual(gc, want, args.join(' '));
    }
  }
});

test('bosun server: the same flags through commander', async () => {
  const parse = async (args: string[]): Promise<Partial<ServerCommandOptions> | string> => {
    const program = new Command().exitOverride();
    registerServerCommand(program);
    const cmd = program.commands.find((c) => c.name() === 'server')!;
    cmd.exitOverride().configureOutput({ writeErr: () => {} });
    let got: Partial<ServerCommandOptions> | undefined;
    cmd.action((o: ServerCommandOptions) => { got = o; });
    try {
      await program.parseAsync(['node', 'bosun', 'server', ...args]);
    } catch (err) {
      return (err as Error).message;
    }
    return got!;
  };
  const ok = await parse(['--image-gc-high-threshold', '95', '--image-minimum-gc-age', '10m']);
  assert.ok(typeof ok === 'object');
  assert.equal(ok.imageGcHighThreshold, 95);
  assert.equal(ok.imageMinimumGcAge, 600_000);
  assert.match(String(await parse(['--image-gc-low-threshold', '-1'])), /argument '-1' is invalid. must be a whole percent/);
});
