/**
 * Runs inside the browser's own network namespace (chromium-netns.sh): brings its loopback up,
 * forwards a port on it to the test's SOCKS5 relay (BOSUN_BROWSER_RELAY, a unix socket: those cross
 * network namespaces), and runs the real Chromium (BOSUN_CHROMIUM) with Playwright's arguments and
 * that proxy for every address, loopback included. Playwright talks to Chromium over fds 3 and 4
 * (--remote-debugging-pipe), passed through as they are. Exits with Chromium; a signal it gets is
 * passed on. Plain JavaScript: Playwright runs it without tsx.
 */
import { execFileSync, spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';

const relay = process.env.BOSUN_BROWSER_RELAY;
const chromium = process.env.BOSUN_CHROMIUM;
if (!relay || !chromium) {
  process.stderr.write('chromium-netns.mjs: BOSUN_BROWSER_RELAY and BOSUN_CHROMIUM must be set\n');
  process.exit(2);
}
execFileSync('ip', ['link', 'set', 'lo', 'up']);
const forward = createServer((s) => {
  const up = connect(relay);
  s.pipe(up).pipe(s);
  // A side that closes ends the other once its last bytes are written; an error resets both.
  const drop = () => { s.destroy(); up.destroy(); };
  s.on('error', drop).on('close', () => up.end());
  up.on('error', drop).on('close', () => s.end());
});
forward.listen(0, '127.0.0.1', () => {
  const { port } = forward.address();
  // <-loopback>: Chromium otherwise never proxies loopback addresses, the only ones the tests use.
  const args = [...process.argv.slice(2), `--proxy-server=socks5://127.0.0.1:${port}`, '--proxy-bypass-list=<-loopback>'];
  const child = spawn(chromium, args, { stdio: [0, 1, 2, 3, 4] });
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
  child.on('error', (e) => {
    process.stderr.write(`chromium-netns.mjs: ${e.message}\n`);
    process.exit(1);
  });
});
