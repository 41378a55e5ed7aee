/**
 * System-owned metadata: what the server fills on create (uid, creationTimestamp, generation,
 * generated names) and what no update may change (kube-apiserver's BeforeCreate/BeforeUpdate).
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { KubeObject, ObjectMeta } from '../../api/meta.js';

/** The last second formatted (every create and update stamps one; formatting cost ~1% of a create). */
let formatted = { second: NaN, text: '' };

/** Kubernetes timestamps are RFC 3339 with second precision. */
export function nowTimestamp(offsetSeconds = 0): string {
  const second = Math.floor((Date.now() + offsetSeconds * 1000) / 1000);
  if (second !== formatted.second) formatted = { second, text: new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') };
  return formatted.text;
}

// Same alphabet and lengths as apiserver's names.SimpleNameGenerator (no vowels, no 0/1/3).
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_NAME_LENGTH = 63;
const RANDOM_LENGTH = 5;

/** `generateName` plus five random characters, the base cut so the result fits 63 characters. */
export function generateName(base: string): string {
  const cut = base.length > MAX_NAME_LENGTH - RANDOM_LENGTH ? base.slice(0, MAX_NAME_LENGTH - RANDOM_LENGTH) : base;
  let suffix = '';
  for (let i = 0; i < RANDOM_LENGTH; i++) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return cut + suffix;
}

/** Fill the fields the server owns on a new object (the name is settled by the caller). */
export function fillCreateMeta(meta: ObjectMeta, tracksGeneration: boolean): void {
  meta.uid = randomUUID();
  meta.creationTimestamp = nowTimestamp();
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  if (tracksGeneration) meta.generation = 1;
  else delete meta.generation;
}

/**
 * Copy the fields no update may change from the stored object: identity, timestamps, deletion
 * state and generation (the caller recomputes generation from the spec change).
 */
export function keepSystemMeta(meta: ObjectMeta, old: ObjectMeta): void {
  const keep = ['name', 'namespace', 'uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation'] as const;
  for (const f of keep) {
    if (old[f] === undefined) delete meta[f];
    else (meta as Record<string, unknown>)[f] = old[f];
  }
}

/** Everything but metadata and status: what a generation bump compares. */
export function specPart(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}
