/** Option parsers shared by the `bosun` subcommands: bad values fail with commander's usage error. */
import { InvalidArgumentError } from 'commander';
import { parseGoDuration } from '../api/duration.js';

export function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

export function parseCount(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number');
  return n;
}

/** Go-style durations (`1s`, `200ms`, `1m30s`) or plain milliseconds, to milliseconds. */
export function parseDuration(v: string): number {
  if (/^\d+$/.test(v)) return Number(v);
  const ms = parseGoDuration(v);
  if (ms === undefined) throw new InvalidArgumentError(`invalid duration "${v}" (e.g. 500ms, 5s, 1m)`);
  return ms;
}

export function parseChoice<T extends string>(choices: readonly T[]): (v: string) => T {
  return (v) => {
    if (!(choices as readonly string[]).includes(v)) throw new InvalidArgumentError(`must be one of ${choices.join(', ')}`);
    return v as T;
  };
}
