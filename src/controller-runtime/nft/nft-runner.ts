/** Runs `nft` (optionally inside a network namespace via `ip netns exec`) with a script on stdin; shared by the service proxy and the NetworkPolicy enforcer. */
import { spawn } from 'node:child_process';

export interface NftRunnerOptions {
  /** Path of the nft binary (default `nft` on PATH). */
  nft?: string;
  /** Run inside this named network namespace (tests, benchmarks). */
  netns?: string;
}

export class NftError extends Error {
  constructor(message: string, readonly stderr: string, readonly code: number | null) {
    super(message);
    this.name = 'NftError';
  }
}

export class NftRunner {
  constructor(private readonly opts: NftRunnerOptions = {}) {}

  /** `nft [args]`, with `stdin` piped in; resolves stdout, rejects NftError with nft's message. */
  run(args: string[], stdin?: string): Promise<string> {
    const nft = this.opts.nft ?? 'nft';
    const [cmd, argv] = this.opts.netns ? ['ip', ['netns', 'exec', this.opts.netns, nft, ...args]] : [nft, args];
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      child.once('error', (e) => reject(new NftError(`cannot run ${cmd}: ${e.message}`, '', null)));
      child.once('close', (code) => {
        if (code === 0) resolve(out);
        else reject(new NftError(`nft ${args.join(' ')} failed (${code}): ${err.trim().split('\n').slice(0, 6).join(' | ')}`, err, code));
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(stdin ?? '');
    });
  }

  /** Apply a script as one transaction (`nft -f -`). */
  apply(script: string): Promise<string> {
    return this.run(['-f', '-'], script);
  }

  /** Check a script without committing it (`nft -c -f -`). */
  check(script: string): Promise<string> {
    return this.run(['-c', '-f', '-'], script);
  }
}
