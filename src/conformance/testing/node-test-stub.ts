/**
 * Stand-in for node:test while list-test-titles.ts loads test files: it records the name of every
 * test and suite, runs suite bodies (they only register tests and hooks) and never runs a test or a
 * hook body, so loading a file starts no server, node, container or cluster.
 *
 * A `.skip` or `.todo` test is recorded as skipped: it names an upstream test without running it.
 * A `{ skip: condition }` option is not: that is a decision about the machine, not about coverage.
 */
export interface RecordedTitle {
  title: string;
  /** The test file being loaded when the title was registered (relative to the repository). */
  file: string;
  skipped: boolean;
}

interface Recorder { titles: RecordedTitle[]; file: string; pending: Promise<unknown>[] }
const g = globalThis as { __bosunTitleRecorder?: Recorder };
/** Shared through globalThis: list-test-titles.ts reads it whichever URL it imported this by. */
export const recorder: Recorder = (g.__bosunTitleRecorder ??= { titles: [], file: '', pending: [] });

type Body = (context: object) => unknown;

function record(name: unknown, skipped: boolean): void {
  if (typeof name === 'string') recorder.titles.push({ title: name, file: recorder.file, skipped });
}

function makeTest(skipped: boolean) {
  return (name?: unknown, ..._rest: unknown[]): void => record(name, skipped);
}

function makeSuite(skipped: boolean) {
  return (name?: unknown, ...rest: unknown[]): void => {
    record(name, skipped);
    const body = rest.find((x): x is Body => typeof x === 'function');
    const result = body?.({});
    if (result instanceof Promise) recorder.pending.push(result);
  };
}

function withModifiers<T extends (...args: never[]) => void>(fn: T, make: (skipped: boolean) => T) {
  return Object.assign(fn, { only: make(false), skip: make(true), todo: make(true) });
}

export const test = withModifiers(makeTest(false), makeTest);
export const it = test;
export const describe = withModifiers(makeSuite(false), makeSuite);
export const suite = describe;
const noHook = (..._args: unknown[]): void => {};
export const before = noHook;
export const after = noHook;
export const beforeEach = noHook;
export const afterEach = noHook;
/** Test bodies never run here, so nothing reaches the mock API; it exists for the import. */
export const mock = {};
export default test;
