/**
 * A CRD's conversion webhook (spec.conversion.strategy Webhook), as apiextensions-apiserver's
 * pkg/apiserver/conversion/webhook_converter.go (v1.32): the objects not yet in the desired
 * apiVersion go in one ConversionReview (v1, or v1beta1 when that is the first version the CRD
 * lists that Bosun speaks), the response is checked (apiVersion and kind, uid, result, count) and
 * each converted object must keep kind, name, namespace and uid (validateConvertedObject); its
 * metadata is the original's but for labels and annotations (restoreObjectMeta). The call goes
 * through the admission webhooks' client (service resolution, caBundle, keep-alive). Every failure
 * is upstream's 500 InternalError "conversion webhook for <group/version, Kind=K> ...".
 */
import { randomUUID } from 'node:crypto';
import { errors } from '../../api/status.js';
import type { Store } from '../../store/types.js';
import { postToWebhook, type WebhookClientConfig } from '../admission/dynamic/webhook-client.js';

type Obj = Record<string, unknown> & { apiVersion?: string; kind?: string; metadata?: Record<string, unknown> };

export interface ConversionWebhook {
  clientConfig: WebhookClientConfig;
  conversionReviewVersions: string[];
}

/** Upstream's REST client for conversion webhooks has no timeout of its own; 30 s is admission's maximum. */
const TIMEOUT_SECONDS = 30;

export class ConversionWebhookConverter {
  constructor(private readonly store: Store, private readonly webhook: ConversionWebhook) {}

  /**
   * `objects` as `desiredAPIVersion` (a new array; objects already there are passed as they are).
   * One review for all that need it, none when none does. `list`: the objects are a list's items
   * (upstream's messages then name the index of the converted object).
   */
  async convert(objects: Obj[], desiredAPIVersion: string, list = false): Promise<Obj[]> {
    const todo = objects.filter((o) => o.apiVersion !== desiredAPIVersion);
    if (todo.length === 0) return objects;
    const first = todo[0]!;
    const gvk = `${first.apiVersion ?? ''}, Kind=${first.kind ?? ''}`;
    const fail = (msg: string): Error => errors.internal(`Internal error occurred: conversion webhook for ${gvk} ${msg}`);
    const reviewVersion = this.webhook.conversionReviewVersions.find((v) => v === 'v1' || v === 'v1beta1');
    if (!reviewVersion) throw fail('failed: no supported conversion review versions');
    const uid = randomUUID();
    const body = JSON.stringify({
      apiVersion: `apiextensions.k8s.io/${reviewVersion}`, kind: 'ConversionReview',
      request: { uid, desiredAPIVersion, objects: todo },
    });
    let text: string;
    try {
      text = await postToWebhook(this.store, this.webhook.clientConfig, TIMEOUT_SECONDS, body);
    } catch (err) {
      throw fail(`failed: ${(err as Error).message}`);
    }
    const converted = convertedObjects(text, uid, reviewVersion, fail);
    if (converted.length !== todo.length) throw fail(`returned ${converted.length} objects, expected ${todo.length}`);
    let i = 0;
    return objects.map((original) => {
      if (original.apiVersion === desiredAPIVersion) return original;
      const out = converted[i++]!;
      const at = list ? `converted object at index ${i}` : 'object at index 0';
      if (out.apiVersion !== desiredAPIVersion) throw fail(`returned invalid ${at}: invalid groupVersion (expected ${desiredAPIVersion}, received ${String(out.apiVersion)})`);
      if (out.kind !== original.kind) throw fail(`returned invalid ${at}: invalid kind (expected ${String(original.kind)}, received ${String(out.kind)})`);
      const bad = changedIdentity(original, out);
      if (bad) throw fail(`returned invalid ${list ? at : 'object'}: ${bad}`);
      const meta = restoreObjectMeta(original, out);
      if (typeof meta === 'string') throw fail(`returned invalid metadata${list ? ` in object at index ${i}` : ''}: ${meta}`);
      return { ...out, metadata: meta };
    });
  }
}

/** getConvertedObjectsFromResponse: the review's kind and uid (v1 only, as upstream), its result, its objects. */
function convertedObjects(text: string, uid: string, reviewVersion: string, fail: (m: string) => Error): Obj[] {
  let review: { apiVersion?: string; kind?: string; response?: { uid?: string; result?: { status?: string; message?: string }; convertedObjects?: Obj[] } };
  try {
    review = JSON.parse(text) as typeof review;
  } catch (err) {
    throw fail(`failed: ${(err as Error).message}`);
  }
  if (reviewVersion === 'v1' && (review.apiVersion !== 'apiextensions.k8s.io/v1' || review.kind !== 'ConversionReview')) {
    throw fail(`failed: expected webhook response of apiextensions.k8s.io/v1, Kind=ConversionReview, got ${review.apiVersion ?? ''}, Kind=${review.kind ?? ''}`);
  }
  const resp = review.response;
  if (!resp) throw fail('failed: no response provided');
  if (reviewVersion === 'v1' && resp.uid !== uid) throw fail(`failed: expected response.uid="${uid}", got "${resp.uid ?? ''}"`);
  if (resp.result?.status !== 'Success') {
    throw fail(`failed: ${resp.result?.message || `response.result.status was '${resp.result?.status ?? ''}', not 'Success'`}`);
  }
  return Array.isArray(resp.convertedObjects) ? resp.convertedObjects : [];
}

/** validateConvertedObject: kind, name, namespace and uid must be the original's. */
function changedIdentity(original: Obj, out: Obj): string | undefined {
  const m = (o: Obj, f: string): string => String(o.metadata?.[f] ?? '');
  if (original.kind !== out.kind) return `must have the same kind: ${String(original.kind)} != ${String(out.kind)}`;
  for (const [f, label] of [['name', 'name'], ['namespace', 'namespace'], ['uid', 'UID']] as const) {
    if (m(original, f) !== m(out, f)) return `must have the same ${label}: ${m(original, f)} != ${m(out, f)}`;
  }
  return undefined;
}

/** restoreObjectMeta: the original metadata with the converted object's labels and annotations (string values only). */
function restoreObjectMeta(original: Obj, out: Obj): Record<string, unknown> | string {
  const got = out.metadata;
  if (got === undefined) return 'missing metadata in converted object';
  if (got === null || typeof got !== 'object' || Array.isArray(got)) return `invalid metadata of type ${typeof got} in converted object`;
  const meta: Record<string, unknown> = structuredClone(original.metadata ?? {});
  for (const f of ['labels', 'annotations']) {
    const v = got[f];
    if (v === undefined || v === null) {
      delete meta[f];
      continue;
    }
    if (typeof v !== 'object' || Array.isArray(v)) return `invalid metadata.${f} of type ${typeof v} in converted object`;
    for (const [k, x] of Object.entries(v)) if (typeof x !== 'string') return `metadata.${f}[${k}] must be a string, but is ${typeof x} in converted object`;
    meta[f] = v;
  }
  return meta;
}
