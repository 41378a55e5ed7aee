/**
 * One command-line flag as the flag tables (node-flags.ts) declare it, and the value checks they use.
 * Checks return the value or `{ error }` (commander's "argument 'x' is invalid. <error>" wording
 * is added by the parser); none loads commander, so `bosun agent` parses its flags without it.
 */
import { parseGoDuration } from '../../api/duration.js';
import { parseCIDR } from '../../api/net/cidr.js';

export type FlagError = { error: string };

export interface Flag {
  /** Long name without dashes (`data-dir`); `no-x` is a boolean whose option `x` is on unless given. */
  name: string;
  /** Placeholder of the value (`dir` for `--data-dir <dir>`); none for a boolean flag. */
  value?: string;
  help: string;
  required?: boolean;
  /** Default as a user would type it (`20s`, `10.42.0.0/16`); checked and converted like a given value. */
  default?: string;
  /** Value check and conversion (absent: the string as given). */
  parse?: (v: string) => unknown;
  /** May be given more than once (pflag's StringArray, e.g. --service-account-key-file): the option is the list of values, each parsed. */
  multiple?: boolean;
}

/** The options key of a flag, camelCase as commander names it: `node-ip` -> nodeIp, `no-routes` -> routes. */
export const keyOf = (f: Flag): string => f.name.replace(/^no-/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
/** `--data-dir <dir>` or `--disable-agent`. */
export const usageOf = (f: Flag): string => (f.value ? `--${f.name} <${f.value}>` : `--${f.name}`);

export const isFlagError = (v: unknown): v is FlagError =>
  typeof v === 'object' && v !== null && Object.keys(v).length === 1 && typeof (v as FlagError).error === 'string';

export const port = (min: number) => (v: string): number | FlagError => {
  const n = Number(v);
  return v.trim() !== '' && Number.isInteger(n) && n >= min && n <= 65535 ? n : { error: `must be a port number (${min}-65535)` };
};

export const count = (v: string): number | FlagError => {
  const n = Number(v);
  return v.trim() !== '' && Number.isInteger(n) && n >= 0 ? n : { error: 'must be a whole number' };
};

/** Go durations (`20s`, `1m30s`, `200ms`, `0`) to milliseconds, as Kubernetes' duration flags. */
export const duration = (v: string): number | FlagError =>
  parseGoDuration(v) ?? { error: `invalid duration "${v}" (e.g. 500ms, 5s, 1m)` };

/** `true` or `false`, as a Go bool flag's value (`--enable-priority-and-fairness=false`). */
export const boolean = (v: string): boolean | FlagError => (v === 'true' ? true : v === 'false' ? false : { error: 'must be true or false' });

export const choice = (choices: readonly string[]) => (v: string): string | FlagError =>
  choices.includes(v) ? v : { error: `must be one of ${choices.join(', ')}` };

/** An IPv4 CIDR (src/api/net), given back in canonical network form. */
export const cidr = (v: string): string | FlagError => {
  const c = parseCIDR(v);
  return c?.family === 4 ? c.text : { error: 'must be an IPv4 CIDR such as 10.42.0.0/16' };
};

/** A port range `from-to` (kube-apiserver --service-node-port-range). */
export const portRange = (v: string): string | FlagError => {
  const m = /^(\d+)-(\d+)$/.exec(v);
  return m && Number(m[1]) >= 1 && Number(m[1]) <= Number(m[2]) && Number(m[2]) <= 65535 ? v : { error: 'must be a port range such as 30000-32767' };
};

/** Comma-separated values, empty entries dropped. */
export const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);
