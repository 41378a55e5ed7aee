/**
 * The wire facts of protobuf messages, read from a resolved protobufjs Root (Bosun's .proto files,
 * upstream's generated.proto text, or descriptors compiled into kubectl: all three become a Root),
 * and the comparison of Bosun's messages with upstream's. Only what decides the bytes on the wire
 * is compared: message full name, each field's name, number, type (scalar, or the referenced
 * message's full name), repeated-ness and map key type. Comments and options (Bosun's own
 * `(bosun.keep_zero)`/`(bosun.inline)`, gogoproto's) are not.
 */
import protobuf from 'protobufjs';

export interface FieldFact {
  name: string;
  id: number;
  /** A scalar type (`string`, `int32`, ...) or a message's full name without the leading dot. */
  type: string;
  repeated: boolean;
  /** Key type of a map field; undefined for other fields. */
  keyType?: string;
}

/** Message full name (no leading dot, e.g. `k8s.io.api.core.v1.Pod`) to its fields by name. */
export type MessageFacts = Map<string, Map<string, FieldFact>>;

function typeOf(f: protobuf.Field): string {
  const resolved = f.resolve().resolvedType;
  return resolved ? resolved.fullName.replace(/^\./, '') : f.type;
}

/** Every message of `root` (map entry types of descriptors excluded) with its fields' facts. */
export function messageFacts(root: protobuf.Root): MessageFacts {
  root.resolveAll();
  const out: MessageFacts = new Map();
  const walk = (ns: protobuf.NamespaceBase): void => {
    for (const child of ns.nestedArray) {
      if (child instanceof protobuf.Type) {
        if (child.options?.map_entry || child.options?.mapEntry) continue;
        const fields = new Map<string, FieldFact>();
        for (const f of child.fieldsArray) {
          const fact: FieldFact = { name: f.name, id: f.id, type: typeOf(f), repeated: f.repeated };
          if (f instanceof protobuf.MapField) fact.keyType = f.keyType;
          fields.set(f.name, fact);
        }
        out.set(child.fullName.replace(/^\./, ''), fields);
      }
      if (child instanceof protobuf.Namespace) walk(child);
    }
  };
  walk(root);
  return out;
}

/** How a field is written in drift lines: `repeated Foo name = 3`, `map<string, string> name = 1`. */
export function fieldText(f: FieldFact): string {
  const type = f.keyType ? `map<${f.keyType}, ${f.type}>` : `${f.repeated ? 'repeated ' : ''}${f.type}`;
  return `${type} ${f.name} = ${f.id}`;
}

export interface Comparison {
  /** Differences, one line each (`Message.field: ours ... upstream ...`); the test wants none. */
  drift: string[];
  /** Fields of ours found in upstream and equal there. */
  checked: string[];
  /** Fields of ours whose message exists upstream but not the field (newer than the upstream copy). */
  fieldsNotUpstream: string[];
  /** Messages of ours that upstream's copy has not at all (a package or kind newer than it). */
  messagesNotUpstream: string[];
}

/**
 * Renames upstream made after the copy compared with, that leave the bytes alone: `messages` maps
 * an upstream message name to the names it became (same fields and numbers), `fields` maps
 * `Message.upstreamName` to the field's later name (same number and type).
 */
export interface Renames {
  messages?: Record<string, string[]>;
  fields?: Record<string, string>;
}

/** Compares every message and field of `ours` with `upstream`. */
export function compareFacts(ours: MessageFacts, upstream: MessageFacts, renames: Renames = {}): Comparison {
  const result: Comparison = { drift: [], checked: [], fieldsNotUpstream: [], messagesNotUpstream: [] };
  for (const [message, fields] of ours) {
    const theirs = upstream.get(message);
    if (!theirs) {
      result.messagesNotUpstream.push(message);
      continue;
    }
    const byNumber = new Map([...theirs.values()].map((f) => [f.id, f]));
    for (const f of fields.values()) {
      const where = `${message}.${f.name}`;
      let same = theirs.get(f.name);
      const taken = byNumber.get(f.id);
      if (!same && taken && renames.fields?.[`${message}.${taken.name}`] === f.name) same = { ...taken, name: f.name };
      if (!same) {
        if (taken) result.drift.push(`${where}: ours ${fieldText(f)}, upstream gives number ${f.id} to ${fieldText(taken)}`);
        else result.fieldsNotUpstream.push(where);
        continue;
      }
      const up = renames.messages?.[same.type]?.includes(f.type) ? { ...same, type: f.type } : same;
      if (fieldText(up) !== fieldText(f)) result.drift.push(`${where}: ours ${fieldText(f)}, upstream ${fieldText(up)}`);
      else result.checked.push(where);
    }
  }
  return result;
}
