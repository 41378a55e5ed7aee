/**
 * The logger the runtime reports through: the subset of pino's interface it uses, so a component
 * passes its own pino child logger. The default writes warnings and errors to stderr as JSON
 * (level from BOSUN_LOG_LEVEL).
 */
import { pino } from 'pino';

export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

let fallback: Logger | undefined;

/** The process-wide default logger, created on first use. */
export function defaultLogger(): Logger {
  fallback ??= pino({ level: process.env.BOSUN_LOG_LEVEL ?? 'warn', base: undefined }, pino.destination(2));
  return fallback;
}
