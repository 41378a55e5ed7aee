/**
 * Watch replay for the SQLite backend. A watch from an old revision starts as a replaying hub
 * watcher: it reads its prefix's rows from the table in chunks (one chunk per event-loop turn, so a
 * long replay does not stall writers) up to the revision committed at that instant. When a chunk
 * comes back short, the watcher has seen every committed row, and because better-sqlite3 commits
 * synchronously on this same thread no commit can slip in between, so it turns live in the same
 * turn: later writes reach it through the hub's publish. No gap, and the cursor drops duplicates.
 */
import type { KeyValue, StoreEvent } from './types.js';
import type { HubWatcher } from './watch-hub.js';
import { prefixEnd } from './key-range.js';
import type { EventRow, Statements } from './sqlite-schema.js';
import { tooOld } from './store-errors.js';

const REPLAY_CHUNK = 1000;

export interface ReplaySource {
  readonly stmts: Statements;
  currentRevision(): number;
  compactedRevision(): number;
}

/** Feed `w` history until it catches up, then flip it live. */
export function startReplay(src: ReplaySource, w: HubWatcher): void {
  const end = prefixEnd(w.prefix);
  const step = (): void => {
    if (w.cancelled) return;
    if (w.cursor < src.compactedRevision()) {
      w.fail(tooOld(w.cursor, src.compactedRevision()));
      return;
    }
    const upto = src.currentRevision();
    let rows: EventRow[];
    try {
      rows = src.stmts.events.all(w.cursor, upto, w.prefix, end, REPLAY_CHUNK);
    } catch {
      return; // the database closed under us; close() fails every watcher
    }
    w.enqueue(rows.map(rowToEvent));
    if (rows.length < REPLAY_CHUNK) {
      w.cursor = Math.max(w.cursor, upto);
      w.live = true;
    } else {
      setImmediate(step);
    }
  };
  queueMicrotask(step);
}

export function rowToKv(r: { id: number; name: string; create_revision: number; value: string }): KeyValue {
  return { key: r.name, value: r.value, createRevision: r.create_revision, modRevision: r.id };
}

export function rowToEvent(r: EventRow): StoreEvent {
  const ev: StoreEvent = { type: r.deleted ? 'DELETE' : 'PUT', kv: rowToKv(r), revision: r.id };
  if (r.p_id !== null) {
    ev.prevKv = { key: r.name, value: r.p_value!, createRevision: r.p_create_revision!, modRevision: r.p_id };
  }
  return ev;
}
