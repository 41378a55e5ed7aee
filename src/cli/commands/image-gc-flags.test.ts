/** The kubelet's image GC flags on `bosun agent` and `bosun server` (one flag table), with its validation. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAgentArgs } from './agent.js';
import { parseServerArgs } from './server.js';

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
    const r = parseAgentArgs([...base, ...args], { defaultConfigFile: '/nonexistent' });
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

test('bosun server: the same flags and checks', () => {
  const ok = parseServerArgs(['--image-gc-high-threshold', '95', '--image-minimum-gc-age', '10m'], { defaultConfigFile: '/nonexistent' });
  assert.ok('options' in ok);
  assert.equal(ok.options.imageGcHighThreshold, 95);
  assert.equal(ok.options.imageMinimumGcAge, 600_000);
  const bad = parseServerArgs(['--image-gc-low-threshold', '-1'], { defaultConfigFile: '/nonexistent' });
  assert.ok('error' in bad);
  assert.match(bad.error, /argument '-1' is invalid. must be a whole percent/);
});
