/**
 * Decoding of `application/vnd.kubernetes.protobuf` request bodies (what kubectl 1.32 POSTs for
 * `create deployment|configmap|secret|namespace|service|serviceaccount`, `auth can-i [--list]`).
 */
import protobuf from 'protobufjs';
import type { KubeObject } from '../meta.js';
import { errors } from '../status.js';
import { messageTypeFor, unknownType } from './schema.js';
import { messageToJson } from './to-json.js';

/** The media type kubectl sends; parameters such as `;charset` are not used by Kubernetes. */
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** `k8s\0`: every Kubernetes protobuf body starts with it. */
export const PROTOBUF_MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

/**
 * Decodes a Kubernetes protobuf body into the object its JSON form gives (`apiVersion` and `kind`
 * from the envelope). Throws a 400 StatusError for a missing magic, a malformed envelope or body, a
 * content encoding (gzip is never sent by clients) or a kind without a schema. Fields unknown to
 * our schema are skipped, as protobuf requires.
 */
export function decodeKubernetesProtobuf(body: Uint8Array): KubeObject {
  if (body.length < PROTOBUF_MAGIC.length || !PROTOBUF_MAGIC.every((b, i) => body[i] === b)) {
    throw errors.badRequest('protobuf body does not start with the Kubernetes magic "k8s\\x00"');
  }
  let envelope: Record<string, any>;
  try {
    envelope = unknownType().decode(body.subarray(PROTOBUF_MAGIC.length)) as unknown as Record<string, any>;
  } catch (err) {
    throw errors.badRequest(`malformed protobuf envelope: ${(err as Error).message}`);
  }
  const apiVersion = String(envelope.typeMeta?.apiVersion ?? '');
  const kind = String(envelope.typeMeta?.kind ?? '');
  if (!kind) throw errors.badRequest("Object 'Kind' is missing in protobuf body");
  if (envelope.contentEncoding) {
    throw errors.badRequest(`unsupported protobuf content encoding "${envelope.contentEncoding}"`);
  }
  if (envelope.contentType && !String(envelope.contentType).startsWith(PROTOBUF_MEDIA_TYPE)) {
    throw errors.badRequest(`unsupported content type "${envelope.contentType}" inside protobuf envelope`);
  }
  const type = messageTypeFor(apiVersion, kind);
  if (!type) {
    throw errors.badRequest(`no kind "${kind}" is registered for version "${apiVersion}" in protobuf decoding`);
  }
  let message: protobuf.Message;
  try {
    message = type.decode(envelope.raw ?? new Uint8Array(0));
  } catch (err) {
    throw errors.badRequest(`malformed protobuf ${kind}: ${(err as Error).message}`);
  }
  const fields = messageToJson(type, message) as Record<string, unknown>;
  return { apiVersion, kind, metadata: (fields.metadata as KubeObject['metadata']) ?? {}, ...fields };
}
