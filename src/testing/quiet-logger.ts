/** A logger for tests that assert on the state of the world, not on what was logged. */
import type { Logger } from '../controller-runtime/log.js';

/** Drops every record; its children are itself. */
export const quietLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return quietLogger;
  },
};
