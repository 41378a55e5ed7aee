/**
 * Test servers: `startTestServer` runs the API server in this process (fast, for integration tests);
 * `spawnServer` runs the `bosun server` CLI as a child process (for crash and restart tests). Both
 * listen on 127.0.0.1 with a free port, use a temporary data dir unless given one, and give a kubectl
 * runner pinned to the 1.32 binary with a fresh cache dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../apiserver/server.js';
import type { EncryptionConfig } from '../apiserver/encryption/config.js';
import type { Store } from '../store/types.js';
import type { AuditorOptions } from '../apiserver/audit/auditor.js';

/** The kubectl tests use: the 1.32 binary, not the version-dispatching /usr/bin/kubectl. */
export const KUBECTL = '/usr/lib/google-cloud-sdk/bin/kubectl.1.32';

export interface KubectlResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface KubectlOptions {
  /** Written to kubectl's stdin. */
  input?: string;
  /** Kill kubectl after this long (default 60 s). */
  timeoutMs?: number;
  /** Another binary (e.g. /usr/bin/kubectl). */
  binary?: string;
}

/** Runs kubectl against a kubeconfig with its own discovery cache. */
export function runKubectl(kubeconfig: string, cacheDir: string, args: string[], o: KubectlOptions = {}): Promise<KubectlResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(o.binary ?? KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dirname(cacheDir) },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ stdout, stderr, code: code ?? (signal ? 128 : 1) });
    });
    // kubectl may exit before reading its input (a bad flag, a killed run): that is its exit code's
    // to report, not an unhandled EPIPE that fails whichever test file is running.
    child.stdin.on('error', () => undefined);
    child.stdin.end(o.input ?? '');
  });
}

export interface TestServer {
  url: string;
  port: number;
  dataDir: string;
  /** Path of the admin kubeconfig. */
  kubeconfig: string;
  kubectl(args: string[], o?: KubectlOptions): Promise<KubectlResult>;
  stop(): Promise<void>;
}

export interface TestServerOptions {
  store?: 'memory' | 'sqlite';
  /** Reuse a data dir (it is then not deleted on stop). */
  dataDir?: string;
  /** In-process server only: encryption at rest (an --encryption-provider-config, parsed). */
  encryption?: EncryptionConfig;
  /** In-process server only: an already open store (e.g. an EtcdStore), closed on stop; `store` is then ignored. */
  storeInstance?: Store;
  /** In-process server only: the audit log. */
  audit?: AuditorOptions;
  /** In-process server only: request and watch limits. */
  limits?: ApiServerOptions['limits'];
  /** In-process server only: joined nodes that may get the Ingress controller's credential. */
  agentIngressNodes?: string[];
  /** In-process server only: --service-account-signing-key-file / --service-account-key-file. */
  serviceAccountKeys?: ApiServerOptions['serviceAccountKeys'];
  /** In-process server only: --anonymous-auth (default true). */
  anonymousAuth?: boolean;
  /** In-process server only: --event-ttl and the clock that times it (e.g. a FakeClock). */
  eventTtlMs?: number;
  eventTtlClock?: ApiServerOptions['eventTtlClock'];
}

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Starts an API server in this process. */
export async function startTestServer(o: TestServerOptions = {}): Promise<TestServer & { server: ApiServer }> {
  const ownDir = !o.dataDir;
  const dataDir = o.dataDir ?? tempDir('bosun-test-');
  const cacheDir = join(tempDir('bosun-kubectl-'), 'cache');
  const server = await startApiServer({ dataDir, port: 0, bindAddress: '127.0.0.1', storeBackend: o.store ?? 'memory', store: o.storeInstance, encryption: o.encryption, audit: o.audit, limits: o.limits, agentIngressNodes: o.agentIngressNodes, serviceAccountKeys: o.serviceAccountKeys, anonymousAuth: o.anonymousAuth, eventTtlMs: o.eventTtlMs, eventTtlClock: o.eventTtlClock });
  return {
    server,
    url: server.url,
    port: server.port,
    dataDir,
    kubeconfig: server.kubeconfigPath,
    kubectl: (args, ko) => runKubectl(server.kubeconfigPath, cacheDir, args, ko),
    async stop() {
      await server.stop();
      rmSync(dirname(cacheDir), { recursive: true, force: true });
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface SpawnedServer extends TestServer {
  child: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** SIGKILL, without cleanup (the data dir stays for a restart). */
  kill9(): Promise<void>;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Runs `bosun server --port 0` as a child process (the compiled dist/cli/main.js when present and
 * `useDist` is set, else the TypeScript source through tsx) and waits for its listening line.
 * `extraArgs` are appended (default `--disable-agent`: a control plane without this machine's node).
 */
export async function spawnServer(o: TestServerOptions & { useDist?: boolean; startTimeoutMs?: number; extraArgs?: string[] } = {}): Promise<SpawnedServer> {
  const ownDir = !o.dataDir;
  const dataDir = o.dataDir ?? tempDir('bosun-test-');
  const cacheDir = join(tempDir('bosun-kubectl-'), 'cache');
  const entry = o.useDist ? [join(repoRoot, 'dist/cli/main.js')] : ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts')];
  const child = spawn(process.execPath, [...entry, 'server', '--data-dir', dataDir, '--port', '0', '--bind-address', '127.0.0.1', '--store', o.store ?? 'sqlite', ...(o.extraArgs ?? ['--disable-agent'])], {
    cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const removeDirs = (): void => {
    rmSync(dirname(cacheDir), { recursive: true, force: true });
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const url = await new Promise<string>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`bosun server did not start in time:\n${out}`)), o.startTimeoutMs ?? 60_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /bosun: listening on (https:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bosun server exited with ${code}:\n${out}`));
    });
  }).catch((err: unknown) => {
    // A server that never started (a test of refused flags, or a start timeout) leaves no temp dirs.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    removeDirs();
    throw err;
  });
  const exited = new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  return {
    child, url, port: Number(new URL(url).port), dataDir, kubeconfig,
    output: () => out,
    kubectl: (args, ko) => runKubectl(kubeconfig, cacheDir, args, ko),
    async kill9() {
      child.kill('SIGKILL');
      await exited;
      rmSync(dirname(cacheDir), { recursive: true, force: true });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      removeDirs();
    },
  };
}
