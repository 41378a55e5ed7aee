/**
 * The API's request options as they travel on the wire (query parameters and DeleteOptions bodies),
 * shared by the server that parses them and the client that sends them.
 */

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'NotOlderThan' | 'Exact';
}

export interface WatchQuery extends ListQuery {
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  sendInitialEvents?: boolean;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  /** Legacy form of propagationPolicy=Orphan. */
  orphanDependents?: boolean;
}

/** json: application/json-patch+json; merge: merge-patch+json; strategic: strategic-merge-patch+json; apply: apply-patch+yaml. */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';
