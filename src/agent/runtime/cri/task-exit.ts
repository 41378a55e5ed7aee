import { decodeMessage, type ProtoSchema } from '../../grpc/proto-codec.js';
import { ProtoReader, WireType } from '../../grpc/proto-wire.js';

/**
 * The payload of containerd's /tasks/exit event, read far enough to say which container's (or
 * sandbox's) main process exited. The PLEG needs it because containerd publishes the exit before its
 * CRI plugin has recorded it (the plugin's serial event loop deletes the task first, publishing
 * /tasks/delete, and only then marks the container exited): a relist right after the event can still
 * list the container running, and only the id tells the PLEG that this is not the final word.
 */

/** google.protobuf.Any (google/protobuf/any.proto), the payload's wrapper in an Envelope. */
export const ANY_SCHEMA: ProtoSchema = {
  package: 'google.protobuf',
  messages: { Any: [['typeUrl', 1, 'string'], ['value', 2, 'bytes']] },
  enums: {},
};

/** containerd.events.TaskExit (api/events/task.proto), the fields used. */
export const TASK_EVENTS_SCHEMA: ProtoSchema = {
  package: 'containerd.events',
  messages: { TaskExit: [['containerId', 1, 'string'], ['id', 2, 'string']] },
  enums: {},
};

/** Envelope.event's field number (api/services/events/v1/events.proto). */
const ENVELOPE_EVENT = 4;

/** The Envelope's `event` bytes (a google.protobuf.Any), or undefined when it has none. */
function envelopeEvent(envelope: Buffer): Buffer | undefined {
  const r = new ProtoReader(envelope);
  let out: Buffer | undefined;
  while (r.pos < r.end) {
    const tag = r.uint32();
    if (tag >>> 3 === ENVELOPE_EVENT && (tag & 7) === WireType.LEN) {
      const [start, end] = r.delimited();
      out = envelope.subarray(start, end); // the last occurrence wins, as protobuf's merge
    } else r.skip(tag & 7);
  }
  return out;
}

/**
 * The id of the container or sandbox whose main process exited, when `envelope` (a raw
 * containerd Envelope) is a /tasks/exit event of it; undefined for every other event, including the
 * exit of an exec'd process (a probe's), whose process id is not the container's.
 */
export function exitedTask(topic: string, envelope: Buffer): string | undefined {
  if (topic !== '/tasks/exit') return undefined;
  try {
    const any = envelopeEvent(envelope);
    if (!any) return undefined;
    const { typeUrl, value } = decodeMessage<{ typeUrl: string; value: Buffer }>(ANY_SCHEMA, 'Any', any);
    if (typeUrl.replace(/^.*\//, '') !== 'containerd.events.TaskExit') return undefined;
    const e = decodeMessage<{ containerId: string; id: string }>(TASK_EVENTS_SCHEMA, 'TaskExit', value);
    return e.containerId && e.id === e.containerId ? e.containerId : undefined;
  } catch {
    return undefined; // a payload cut short: still a change, only not a named exit
  }
}
