import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonLogger, type Logger } from './log.js';

/** Records a logger wrote, parsed, with "time" checked and dropped so they compare. */
function capture(level: string, use: (l: Logger) => void): Array<Record<string, unknown>> {
  const lines: string[] = [];
  use(jsonLogger(level, (l) => lines.push(l)));
  return lines.map((l) => {
    assert.ok(l.endsWith('\n') && !l.slice(0, -1).includes('\n'), `one line per record: ${JSON.stringify(l)}`);
    const { time, ...rest } = JSON.parse(l) as Record<string, unknown>;
    assert.equal(typeof time, 'number');
    return rest;
  });
}

test('jsonLogger writes pino-style JSON lines: numeric levels, bindings, fields, msg', () => {
  const cases: Array<[string, (l: Logger) => void, Array<Record<string, unknown>>]> = [
    ['fields and message', (l) => l.warn({ pod: 'ns/a', err: 'x' }, 'pod sync failed'), [{ level: 40, pod: 'ns/a', err: 'x', msg: 'pod sync failed' }]],
    ['below the level', (l) => l.info({}, 'hidden at warn'), []],
    ['no message, nested and escaped values', (l) => l.error({ n: 1, nested: { a: [1, 'b', null] }, s: 'quote " and \\ and \n' }),
      [{ level: 50, n: 1, nested: { a: [1, 'b', null] }, s: 'quote " and \\ and \n' }]],
    ['child bindings accumulate', (l) => l.child({ component: 'proxy', node: 'n1' }).child({ x: 2 }).warn({ y: true }, 'deep'),
      [{ level: 40, component: 'proxy', node: 'n1', x: 2, y: true, msg: 'deep' }]],
    ['debug hidden at warn', (l) => l.debug({ a: 1 }, 'hidden'), []],
  ];
  for (const [name, use, want] of cases) assert.deepEqual(capture('warn', use), want, name);
  assert.deepEqual(capture('debug', (l) => l.debug({ a: 1 }, 'shown')), [{ level: 20, a: 1, msg: 'shown' }]);
  assert.deepEqual(capture('silent', (l) => l.error({}, 'never')), []);
  assert.deepEqual(capture('nonsense', (l) => l.info({}, 'x')), [], 'an unknown level means warn');
});

test('jsonLogger serializes errors as pino does and survives cycles and bigints', () => {
  const [e] = capture('info', (l) => l.error({ err: new Error('boom') }, 'failed'));
  const err = e!.err as Record<string, unknown>;
  assert.equal(err.type, 'Error');
  assert.equal(err.message, 'boom');
  assert.match(String(err.stack), /^Error: boom\n {4}at /);
  assert.deepEqual(capture('info', (l) => l.info({ big: 10n }, 'm')), [{ level: 30, big: '10', msg: 'm' }]);
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  const [cyc] = capture('info', (l) => l.info({ o }, 'cycle'));
  assert.equal(cyc!.msg, 'cycle');
  assert.equal(cyc!.level, 30);
  assert.match(String(cyc!.logError), /unserializable/);
});
