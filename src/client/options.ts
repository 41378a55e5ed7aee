/** Request options of the client's verbs, mirroring the API's query parameters. */
import type { DeleteOptions as ApiDeleteOptions } from '../api/request-options.js';

export type { PatchType } from '../api/request-options.js';

export interface CallOptions {
  /** Abort the request (and, for a watch, end the stream). */
  signal?: AbortSignal;
}

export interface GetOptions extends CallOptions {
  resourceVersion?: string;
}

export interface ListOptions extends CallOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  /** '0' reads from the server's cache (any version); unset reads the latest. */
  resourceVersion?: string;
  resourceVersionMatch?: 'NotOlderThan' | 'Exact';
}

export interface WatchOptions extends CallOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Deliver events after this version; unset or '0' starts with ADDED for every current object. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /** The server closes the stream after this many seconds. */
  timeoutSeconds?: number;
  sendInitialEvents?: boolean;
}

export interface WriteOptions extends CallOptions {
  dryRun?: boolean;
  /** Who owns the written fields (managedFields); required for apply patches. */
  fieldManager?: string;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

export interface PatchOptions extends WriteOptions {
  /** Apply only: take ownership of fields other managers own. */
  force?: boolean;
}

export interface DeleteOptions extends ApiDeleteOptions, CallOptions {
  dryRun?: boolean;
}

/** Query parameters for write calls. */
export function writeQuery(o: WriteOptions & { force?: boolean } = {}): Record<string, string | boolean | undefined> {
  return {
    dryRun: o.dryRun ? 'All' : undefined,
    fieldManager: o.fieldManager,
    fieldValidation: o.fieldValidation,
    force: o.force,
  };
}

/** Content-Type for each patch flavour. Apply bodies are JSON, which is valid YAML. */
export const patchContentType = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;
