/**
 * Framing of the Kubernetes remote-command WebSocket protocol (`v5.channel.k8s.io`, binary): every
 * message is [channel][payload]. Channels: 0 stdin, 1 stdout, 2 stderr, 3 error (a metav1.Status as
 * JSON), 4 resize ({"Width","Height"} as JSON). v5 adds the close signal [255][channel]: the sender
 * is done writing that channel (kubectl sends it for stdin at end of input).
 */

export const Channel = {
  STDIN: 0,
  STDOUT: 1,
  STDERR: 2,
  ERROR: 3,
  RESIZE: 4,
  /** v5 only: the payload's first byte names the channel being half-closed. */
  CLOSE: 255,
} as const;

export const V5_PROTOCOL = 'v5.channel.k8s.io';

export type ChannelMessage =
  | { kind: 'data'; channel: number; data: Buffer }
  | { kind: 'close'; channel: number };

export function encodeChannelData(channel: number, data: Buffer): Buffer {
  const b = Buffer.allocUnsafe(data.length + 1);
  b[0] = channel;
  data.copy(b, 1);
  return b;
}

export function encodeChannelClose(channel: number): Buffer {
  return Buffer.from([Channel.CLOSE, channel]);
}

/** Decodes one binary message; undefined for an empty message or a close signal without a channel. */
export function decodeChannelMessage(msg: Buffer): ChannelMessage | undefined {
  if (msg.length === 0) return undefined;
  const channel = msg[0]!;
  if (channel === Channel.CLOSE) {
    if (msg.length < 2) return undefined;
    return { kind: 'close', channel: msg[1]! };
  }
  return { kind: 'data', channel, data: msg.subarray(1) };
}

/** The subprotocols a client offered in Sec-WebSocket-Protocol. */
export function offeredProtocols(header: string | string[] | undefined): string[] {
  const values = Array.isArray(header) ? header : header ? [header] : [];
  return values.flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
}
