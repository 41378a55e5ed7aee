/**
 * The logger the runtime reports through: the subset of pino's interface it uses, so a component
 * may pass its own pino child logger. The default writes warnings and errors to stderr as JSON
 * lines (`{"time":…,"level":40,<bindings>,<fields>,"msg":…}`; level from BOSUN_LOG_LEVEL).
 *
 * The default is pino's light build (pino/browser.js: levels, children, serializers, no
 * transports), not its Node build: every process (each node agent included) creates it, and the
 * Node build brings sonic-boom, thread-stream and worker_threads into memory, about 1.2 MiB of RSS
 * on a node agent that, at the default level, writes nothing at all.
 */
import pino from 'pino/browser.js';

export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** A log record as pino's light build hands it to `write`. */
type LogRecord = Record<string, unknown> & { level: number; time: number; msg?: string };

/** One JSON line per record, never throwing (a cycle or BigInt in a field must not kill the caller). */
function line(o: LogRecord): string {
  try {
    return `${JSON.stringify(o, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`;
  } catch (err) {
    return `${JSON.stringify({ time: o.time, level: o.level, msg: o.msg, logError: `unserializable fields: ${String(err)}` })}\n`;
  }
}

/** pino's Node serializer for `err` ({type, message, stack}); the light build's differs (msg), and strings pass. */
const errField = (v: unknown): unknown => (v instanceof Error ? { type: v.name, message: v.message, stack: v.stack } : v);

/**
 * A logger writing JSON lines at `level` and above through `write` (default: stderr, synchronously,
 * as pino.destination(2) does; unknown levels mean "warn"). Errors in `err` fields are serialized
 * as pino's Node build does ({type, message, stack}).
 */
export function jsonLogger(level: string, write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const known = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
  return pino({
    level: known.includes(level) ? level : 'warn',
    serializers: { err: errField },
    browser: { asObject: true, serialize: true, write: (o: object) => write(line(o as LogRecord)) },
  }) as unknown as Logger;
}

let fallback: Logger | undefined;

/** The process-wide default logger, created on first use. */
export function defaultLogger(): Logger {
  fallback ??= jsonLogger(process.env.BOSUN_LOG_LEVEL ?? 'warn');
  return fallback;
}
