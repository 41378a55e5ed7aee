/**
 * Parses a command's arguments against its flag table (node-flags.ts) with node's util.parseArgs,
 * merged over its config file (`--config FILE`, else DEFAULT_CONFIG_FILE when present), and
 * renders its --help. Usage errors keep commander's wording (`error: unknown option '--x'`), which
 * the other commands still use. Both `bosun server` and `bosun agent` go through here; it loads
 * neither commander nor the control plane.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG_FILE } from '../../api/defaults.js';
import { readConfigFile, type FileValues } from './config-file.js';
import { isFlagError, keyOf, usageOf, type Flag } from './flag.js';

export type ParsedFlags<T> = { options: T } | { help: string } | { error: string };

export interface FlagCommand {
  /** `server`, `agent`. */
  name: string;
  description: string;
  flags: readonly Flag[];
  /** Checks across flags after each is converted (e.g. image GC thresholds); the error text or null. */
  check?: (options: Record<string, unknown>) => string | null;
}

/** `bosun NAME --help`, in commander's layout; defaults shown as typed (`20s`, not milliseconds). */
export function helpOf(c: FlagCommand): string {
  const rows: Array<[string, string]> = c.flags.map((f) => [usageOf(f), f.default === undefined ? f.help : `${f.help} (default: ${f.default})`]);
  rows.push(['-h, --help', 'display help for command']);
  const width = Math.max(...rows.map(([u]) => u.length)) + 2;
  return `Usage: bosun ${c.name} [options]\n\n${c.description}\n\nOptions:\n${rows.map(([u, h]) => `  ${u.padEnd(width)}${h}`).join('\n')}\n`;
}

/** commander's wording of util.parseArgs's errors. */
function parseArgsError(c: FlagCommand, e: Error & { code?: string }): string {
  const arg = /'([^']+)'/.exec(e.message)?.[1];
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option '${arg}'`;
  if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `too many arguments for '${c.name}'. Expected 0 arguments but got 1.`;
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const f = c.flags.find((x) => e.message.includes(`--${x.name} `) || e.message.includes(`--${x.name}'`));
    return f?.value ? `option '${usageOf(f)}' argument missing` : e.message;
  }
  return e.message;
}

/**
 * Parses `args` (what follows `bosun NAME`): the options keyed as keyOf names them, each converted by
 * its flag's parse, defaults filled in; or the help text; or a usage error.
 */
export function parseFlags<T>(c: FlagCommand, args: string[], o: { defaultConfigFile?: string } = {}): ParsedFlags<T> {
  let given: Record<string, string | boolean | Array<string | boolean> | undefined>;
  try {
    const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = { help: { type: 'boolean', short: 'h' } };
    for (const f of c.flags) options[f.name] = { type: f.value ? 'string' : 'boolean', ...(f.multiple ? { multiple: true } : {}) };
    // A negative number after a value flag is its value (`--x -1`), as commander takes it.
    const joined: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const next = args[i + 1];
      const takesValue = a.startsWith('--') && options[a.slice(2)]?.type === 'string';
      if (takesValue && next !== undefined && /^-\d/.test(next)) joined.push(`${a}=${args[++i]}`);
      else joined.push(a);
    }
    given = parseArgs({ args: joined, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    return { error: parseArgsError(c, err as Error) };
  }
  if (given.help) return { help: helpOf(c) };

  let file: FileValues = {};
  if (c.flags.some((f) => f.name === 'config')) {
    const defaultFile = o.defaultConfigFile ?? DEFAULT_CONFIG_FILE;
    const path = (given.config as string | undefined) ?? (existsSync(defaultFile) ? defaultFile : undefined);
    try {
      if (path) file = readConfigFile(path, c.flags);
    } catch (err) {
      return { error: (err as Error).message };
    }
  }

  const out: Record<string, unknown> = {};
  for (const f of c.flags) {
    if (f.name === 'config') continue;
    const v = given[f.name] ?? file[f.name];
    const key = keyOf(f);
    if (!f.value) {
      // `--no-x` (or `no-x: true`) turns x off; a plain boolean flag is on when given.
      const on = v === true;
      out[key] = f.name.startsWith('no-') ? !on : on;
      continue;
    }
    if (f.multiple) {
      // Given on the command line, the values replace the file's (as a single flag's value does).
      const texts = v === undefined ? (f.default === undefined ? [] : [f.default]) : Array.isArray(v) ? v.map(String) : [String(v)];
      const values: unknown[] = [];
      for (const t of texts) {
        const parsed = f.parse ? f.parse(t) : t;
        if (isFlagError(parsed)) return { error: `option '${usageOf(f)}' argument '${t}' is invalid. ${parsed.error}` };
        values.push(parsed);
      }
      if (values.length) out[key] = values;
      else if (f.required) return { error: `required option '${usageOf(f)}' not specified` };
      continue;
    }
    const text = (v as string | undefined) ?? f.default;
    if (text === undefined) {
      if (f.required) return { error: `required option '${usageOf(f)}' not specified` };
      continue;
    }
    const parsed = f.parse ? f.parse(text) : text;
    if (isFlagError(parsed)) return { error: `option '${usageOf(f)}' argument '${text}' is invalid. ${parsed.error}` };
    out[key] = parsed;
  }
  const bad = c.check?.(out);
  if (bad) return { error: bad };
  return { options: out as T };
}

/** Runs a flag command as its own entry point: help to stdout, usage errors to stderr with exit 1. */
export async function runFlagCommand<T>(c: FlagCommand, args: string[], run: (options: T) => Promise<void>): Promise<void> {
  const parsed = parseFlags<T>(c, args);
  if ('help' in parsed) {
    process.stdout.write(parsed.help);
    return;
  }
  if ('error' in parsed) {
    process.stderr.write(`error: ${parsed.error}\n`);
    process.exit(1);
  }
  try {
    await run(parsed.options);
  } catch (err) {
    console.error(`bosun: ${(err as Error).message ?? String(err)}`);
    process.exit(1);
  }
}
