/**
 * kubectl 1.31+ runs exec, attach, cp and port-forward over WebSockets and, when the WebSocket
 * upgrade fails, silently retries over SPDY/3.1: client-go's FallbackExecutor logs
 * "RemoteCommand fallback: ..." and portforward's FallbackDialer "fallback to secondary dialer
 * from primary dialer err: ...", both at -v=4 and nowhere else. A streaming test that does not
 * look at that log passes through the fallback and cannot tell whether the WebSocket path works.
 * These helpers run kubectl verbosely and fail on a fallback.
 */
import assert from 'node:assert/strict';
import type { KubectlOptions, KubectlResult, TestServer } from './test-cluster.js';

/** Verbosity at which kubectl logs its fallbacks (and its requests, which help a failure's reader). */
export const STREAM_VERBOSITY = '-v=6';

/** klog's line header: severity, MMDD, time, thread id, file:line] */
const KLOG_LINE = /^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d{6}\s+\d+ [^\]\s]+\] /;
const FALLBACK = /fallback|falling back/i;

/** kubectl's own log lines in `stderr`. */
export function kubectlLogLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => KLOG_LINE.test(l));
}

/** `stderr` without kubectl's log lines: what the command in the container wrote, and kubectl's errors. */
export function withoutKubectlLog(stderr: string): string {
  return stderr.split(/(?<=\n)/).filter((l) => !KLOG_LINE.test(l)).join('');
}

/** Fails when kubectl fell back from WebSockets to SPDY (or logged nothing at all: not verbose). */
export function assertNoStreamFallback(stderr: string, what = 'kubectl'): void {
  const log = kubectlLogLines(stderr);
  assert.ok(log.length > 0, `${what}: no kubectl log lines; was it run with ${STREAM_VERBOSITY}?`);
  assert.deepEqual(log.filter((l) => FALLBACK.test(l)), [], `${what} fell back from WebSockets to SPDY`);
}

/**
 * Runs a streaming kubectl command (exec, cp, attach) verbosely, fails the test if it fell back to
 * SPDY, and returns its result with the log lines taken out of stderr.
 */
export async function kubectlStream(server: Pick<TestServer, 'kubectl'>, args: string[], o?: KubectlOptions): Promise<KubectlResult> {
  const r = await server.kubectl([STREAM_VERBOSITY, ...args], o);
  assertNoStreamFallback(r.stderr, `kubectl ${args.join(' ')}`);
  return { ...r, stderr: withoutKubectlLog(r.stderr) };
}
