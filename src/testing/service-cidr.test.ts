/**
 * reserveServiceCIDR on a temporary reservations directory: live entries keep a network from
 * others, stale ones (their process gone) do not and are removed, networks nftables maps are
 * skipped, and release gives the network back.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { reserveServiceCIDR } from './service-cidr.js';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'svc-cidr-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const octets = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const nothingMapped = () => new Set<number>();
const octetOf = (cidr: string) => Number(cidr.split('.')[1]);

test('nodes of one process get different networks until one is released', () => {
  // Every network but 120 and 121 held by a live node of another owner.
  for (const o of octets(100, 199).filter((n) => n !== 120 && n !== 121)) writeFileSync(join(dir, `${o}.${process.pid}.other`), '');
  const a = reserveServiceCIDR('a', { dir, mapped: nothingMapped });
  const b = reserveServiceCIDR('b', { dir, mapped: nothingMapped });
  assert.deepEqual([octetOf(a.cidr), octetOf(b.cidr)].sort(), [120, 121]);
  assert.match(a.cidr, /^10\.12[01]\.0\.0\/16$/);
  assert.throws(() => reserveServiceCIDR('c', { dir, mapped: nothingMapped }), /no free service network for c/);
  a.release();
  a.release();
  assert.equal(reserveServiceCIDR('c', { dir, mapped: nothingMapped }).cidr, a.cidr);
});

test('an entry whose process is gone holds nothing and is removed', () => {
  const dead = spawnSync('true').pid!;
  for (const o of octets(100, 199)) writeFileSync(join(dir, `${o}.${dead}.crashed`), '');
  const r = reserveServiceCIDR('a', { dir, mapped: nothingMapped });
  assert.deepEqual(readdirSync(dir).filter((e) => e.startsWith(`${octetOf(r.cidr)}.`)), [`${octetOf(r.cidr)}.${process.pid}.a`]);
});

test('a network an nftables table already maps is not reserved', () => {
  const r = reserveServiceCIDR('a', { dir, mapped: () => new Set(octets(100, 199).filter((n) => n !== 150)) });
  assert.equal(r.cidr, '10.150.0.0/16');
});
