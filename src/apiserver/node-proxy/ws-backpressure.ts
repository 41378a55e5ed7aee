/**
 * Backpressure towards a WebSocket client: `ws.send` never blocks, so when the client reads slower
 * than the node writes, the node's side is paused until the queue has drained to half.
 */
import type { WebSocket } from 'ws';

/** Above this many bytes queued towards the client, reading from the node pauses. */
export const HIGH_WATER = 4 * 1024 * 1024;

export function throttleTowards(ws: WebSocket, source: { pause(): void; resume(): void }): () => void {
  let paused = false;
  return () => {
    if (paused || ws.bufferedAmount <= HIGH_WATER) return;
    paused = true;
    source.pause();
    const timer = setInterval(() => {
      if (ws.bufferedAmount <= HIGH_WATER / 2 || ws.readyState !== ws.OPEN) {
        clearInterval(timer);
        paused = false;
        source.resume();
      }
    }, 10);
  };
}
