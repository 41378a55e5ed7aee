/**
 * The config file of `bosun server` / `bosun agent`, as k3s's /etc/rancher/k3s/config.yaml: a YAML
 * mapping whose keys are the command's flag names without dashes, each with the value the flag
 * would take (`cluster-cidr: 10.1.0.0/16`, `disable-agent: true`, a list for a comma-separated
 * flag: `etcd-endpoints: [https://a:2379, https://b:2379]`, or the values of a repeatable flag).
 * Read before the command line, whose flags override it. A key no flag has is an error (a typo must not be silently ignored).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Flag } from './flag.js';

/** Flag name -> the value as typed on a command line (a boolean flag: true/false). */
export type FileValues = Record<string, string | boolean | string[]>;

const require = createRequire(import.meta.url);

/** Parses the YAML text of a config file against a flag table; throws with the file name and key on bad input. */
export function parseConfigFile(text: string, path: string, flags: readonly Flag[]): FileValues {
  // Loaded only when a file is read: the YAML library is not resident in an agent that has none.
  const { parse } = require('yaml') as typeof import('yaml');
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new Error(`config file ${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`config file ${path}: must be a mapping of flag names to values`);
  const out: FileValues = {};
  for (const [key, raw] of Object.entries(doc as Record<string, unknown>)) {
    const flag = flags.find((f) => f.name === key && f.name !== 'config');
    if (!flag) throw new Error(`config file ${path}: unknown key '${key}' (keys are flag names, e.g. data-dir)`);
    if (!flag.value) {
      if (typeof raw !== 'boolean') throw new Error(`config file ${path}: '${key}' must be true or false`);
      out[key] = raw;
    } else if (Array.isArray(raw) && raw.every((x) => typeof x === 'string' || typeof x === 'number')) {
      // A repeatable flag takes each entry as one value; a comma-separated flag takes them joined.
      out[key] = flag.multiple ? raw.map(String) : raw.join(',');
    } else if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') {
      // A boolean for a flag with a value (`enable-priority-and-fairness: false`) is its text, checked by the flag.
      out[key] = String(raw);
    } else {
      throw new Error(`config file ${path}: '${key}' must be a string or number`);
    }
  }
  return out;
}

export function readConfigFile(path: string, flags: readonly Flag[]): FileValues {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseConfigFile(text, path, flags);
}
