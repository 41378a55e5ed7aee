/**
 * `bosun server`: the API server (later also the controllers, scheduler and a local agent) on one data
 * directory. Prints where to point kubectl and a `bosun: listening on URL` line (tests read the real
 * port from it when started with --port 0). SIGTERM/SIGINT stop it cleanly with exit code 0.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { startApiServer } from '../../apiserver/server.js';

export interface ServerCommandOptions {
  dataDir: string;
  port: number;
  bindAddress: string;
  store: 'sqlite' | 'memory';
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

function parseStore(v: string): 'sqlite' | 'memory' {
  if (v !== 'sqlite' && v !== 'memory') throw new InvalidArgumentError('must be sqlite or memory');
  return v;
}

/** Runs the server until a signal stops it. */
export async function runServer(o: ServerCommandOptions): Promise<void> {
  const server = await startApiServer({ dataDir: o.dataDir, port: o.port, bindAddress: o.bindAddress, storeBackend: o.store });
  const out = process.stdout;
  out.write(`bosun: kubeconfig written to ${server.kubeconfigPath}\n`);
  out.write(`bosun: try: kubectl --kubeconfig ${server.kubeconfigPath} get ns\n`);
  out.write(`bosun: listening on ${server.url}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    out.write(`bosun: ${signal} received, shutting down\n`);
    server.stop().then(
      () => process.exit(0),
      (err) => {
        console.error('bosun: error during shutdown:', err);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

export function registerServerCommand(program: Command): void {
  program
    .command('server')
    .description('run the API server (control plane) on a data directory')
    .option('--data-dir <dir>', 'where state, certificates and the kubeconfig live', '/var/lib/bosun')
    .option('--port <port>', 'HTTPS port (0 picks a free one)', parsePort, 6443)
    .option('--bind-address <addr>', 'address to listen on', '0.0.0.0')
    .option('--store <backend>', 'storage backend: sqlite (DATA_DIR/state.db) or memory (tests)', parseStore, 'sqlite')
    .action(async (o: ServerCommandOptions) => {
      await runServer(o);
    });
}
