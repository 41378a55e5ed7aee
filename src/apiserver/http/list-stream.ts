/**
 * JSON lists encoded item by item (as kube-apiserver 1.33's streaming collection encoding): each
 * object is serialised as soon as the storage reads it and then dropped, so a list of 10,000 pods
 * costs their JSON text, not their decoded objects plus one giant string. The answer is sent only
 * once the whole list was read, so a failure midway is still a plain Status; the text then goes
 * out in chunks that respect the socket's backpressure.
 */
import type { ServerResponse } from 'node:http';
import type { ListQuery, RequestContext, ResourceStorage } from '../storage/types.js';
import { contentTypes, setWarnings } from './respond.js';

/** Bytes per write: big enough to amortise the syscall, small enough to keep buffers bounded. */
const CHUNK_BYTES = 256 * 1024;

export async function serveJsonList(res: ServerResponse, ctx: RequestContext, storage: ResourceStorage, namespace: string | undefined, q: ListQuery): Promise<void> {
  const items: string[] = [];
  const list = await storage.listEach!(ctx, namespace, q, (obj) => items.push(JSON.stringify(obj)));
  if (res.headersSent || res.writableEnded) return;
  // Same member order as JSON.stringify of the whole list: apiVersion, kind, metadata, items.
  const { items: _none, ...head } = list;
  const open = `${JSON.stringify(head).slice(0, -1)},"items":[`;
  setWarnings(res, ctx.warnings);
  res.writeHead(200, { 'Content-Type': contentTypes.json });
  let chunk = open;
  for (let i = 0; i < items.length; i++) {
    chunk += i === 0 ? items[i] : `,${items[i]}`;
    items[i] = '';
    if (chunk.length >= CHUNK_BYTES) {
      const more = res.write(chunk);
      chunk = '';
      if (!more && !(await drained(res))) return;
    }
  }
  res.end(`${chunk}]}`);
}

/** Resolves true once the socket drained, false if the response closed first (client gone). */
function drained(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const onDrain = (): void => {
      res.off('close', onClose);
      resolve(true);
    };
    const onClose = (): void => {
      res.off('drain', onDrain);
      resolve(false);
    };
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}
