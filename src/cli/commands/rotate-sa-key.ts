/**
 * `bosun rotate-sa-key`: rotates the data dir's service account signing key (the one a server
 * without --service-account-signing-key-file uses). The current key is kept as a verification-only
 * key (DATA_DIR/pki/service-account-previous.pub) and a new signing key is made; after the server
 * restarts, new tokens carry the new key id while every token the old key signed keeps working,
 * as kube-apiserver with the old key still in a --service-account-key-file. Once those tokens
 * have expired or been replaced (pods' tokens are renewed within the hour; legacy token Secrets
 * get a new token when their `token` is removed), `--remove-previous` drops the old keys and the
 * next restart refuses their tokens. A server on --service-account-signing-key-file of its own is
 * rotated by changing its files (docs/security.md).
 */
import type { Command } from 'commander';
import { DEFAULT_DATA_DIR } from '../../api/defaults.js';
import { removePreviousKeys, rotateSigningKey } from '../../apiserver/serviceaccount/signing-key.js';

interface RotateOptions { dataDir: string; removePrevious?: boolean }

/** Runs the command; the lines it prints go to `out`. */
export function rotateSaKey(o: RotateOptions, out: (line: string) => void): void {
  if (o.removePrevious) {
    const removed = removePreviousKeys(o.dataDir);
    out(removed.length ? `removed ${removed.length} previous key(s): ${removed.join(', ')}` : 'no previous keys to remove');
    out('restart the server: tokens those keys signed are refused from then on');
    return;
  }
  const r = rotateSigningKey(o.dataDir);
  out(`new signing key: kid ${r.current}`);
  out(`previous keys (verify only): ${r.previous.join(', ')}`);
  out('restart the server to sign with the new key; once the old tokens have expired, run `bosun rotate-sa-key --remove-previous` and restart again');
}

export function registerRotateSaKeyCommand(program: Command): void {
  program
    .command('rotate-sa-key')
    .description('make a new service account signing key in the data dir, keeping the current one to verify the tokens it signed')
    .option('--data-dir <dir>', 'the server\'s data dir', DEFAULT_DATA_DIR)
    .option('--remove-previous', 'remove the keys earlier rotations kept, so their tokens are refused after the next restart')
    .action((o: RotateOptions) => rotateSaKey(o, (line) => process.stdout.write(`bosun: ${line}\n`)));
}
