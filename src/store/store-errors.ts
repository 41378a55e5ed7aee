/** Constructors for the StoreErrors both backends raise, so messages and revisions agree. */
import { StoreError, type KeyValue } from './types.js';

export function tooOld(revision: number, compacted: number): StoreError {
  return new StoreError('TooOld', `revision ${revision} has been compacted (compacted revision ${compacted})`, compacted);
}

export function alreadyExists(key: string, cur: KeyValue | { modRevision: number }): StoreError {
  return new StoreError('AlreadyExists', `key ${key} already exists`, cur.modRevision);
}

export function notFound(key: string): StoreError {
  return new StoreError('NotFound', `key ${key} not found`);
}

export function conflict(key: string, current: number, expected: number): StoreError {
  return new StoreError('Conflict', `key ${key} is at revision ${current}, not ${expected}`, current);
}

export function closed(): StoreError {
  return new StoreError('Closed', 'store closed');
}
