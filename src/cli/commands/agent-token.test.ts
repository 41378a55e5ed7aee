/**
 * Where `bosun agent` takes its join token from, so it need not be on the command line (where `ps`
 * shows it): --token, else --token-file, else the BOSUN_TOKEN environment variable (k3s's
 * --token, --token-file and K3S_TOKEN).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readToken } from './agent.js';

test('the join token from --token, --token-file or BOSUN_TOKEN, in that order', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-token-'));
  const saved = process.env.BOSUN_TOKEN;
  t.after(() => {
    if (saved === undefined) delete process.env.BOSUN_TOKEN;
    else process.env.BOSUN_TOKEN = saved;
    rmSync(dir, { recursive: true, force: true });
  });
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, 'K10from-file\n', { mode: 0o600 });
  process.env.BOSUN_TOKEN = 'K10from-env';
  assert.equal(await readToken({}), 'K10from-env');
  assert.equal(await readToken({ tokenFile }), 'K10from-file');
  assert.equal(await readToken({ token: 'K10from-flag', tokenFile }), 'K10from-flag');
  delete process.env.BOSUN_TOKEN;
  await assert.rejects(readToken({}), /a join token is required: --token, --token-file or BOSUN_TOKEN/);
});
