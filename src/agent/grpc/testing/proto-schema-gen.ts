/**
 * Writes the agent's protobuf schema tables (ProtoSchema, see ../proto-codec.ts) from its .proto
 * files, read with protobufjs (so field names are camelCased exactly as protobufjs did when the agent
 * loaded the .proto at run time):
 *   node --import tsx src/agent/grpc/testing/proto-schema-gen.ts
 * after changing one of the .proto files; proto-schema.test.ts fails while a table is stale. Only
 * what proto-codec.ts implements is accepted (proto3; string, bool, (u)int32, (u)int64, bytes, enums,
 * messages, repeated, maps with string keys); anything else stops the generator.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

export interface SchemaTarget {
  /** The .proto, relative to the repo root. */
  proto: string;
  /** The generated module, relative to the repo root. */
  out: string;
  /** Names of the exported schema and services constants. */
  schemaName: string;
  servicesName: string;
}

export const TARGETS: SchemaTarget[] = [
  { proto: 'src/agent/runtime/cri/api.proto', out: 'src/agent/runtime/cri/api-schema.ts', schemaName: 'CRI_SCHEMA', servicesName: 'CRI_SERVICES' },
  { proto: 'src/agent/device-plugins/deviceplugin-v1beta1.proto', out: 'src/agent/device-plugins/deviceplugin-schema.ts', schemaName: 'DEVICE_PLUGIN_SCHEMA', servicesName: 'DEVICE_PLUGIN_SERVICES' },
];

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SCALARS = ['string', 'bool', 'int32', 'uint32', 'int64', 'uint64', 'bytes'];
const CODEC = 'src/agent/grpc/proto-codec.ts';

/** The .proto text resolved by protobufjs (camelCase field names), and its package's namespace. */
export function parseProto(text: string): { root: protobuf.Root; pkg: protobuf.Namespace } {
  const parsed = protobuf.parse(text, { keepCase: false });
  if (parsed.package === undefined) throw new Error('the .proto has no package');
  parsed.root.resolveAll();
  const pkg = parsed.root.lookup(parsed.package);
  if (!(pkg instanceof protobuf.Namespace)) throw new Error(`package ${parsed.package} not found`);
  return { root: parsed.root, pkg };
}

/** A string literal, or a bare key where it is an identifier. */
const q = (s: string) => `'${s}'`;
const key = (s: string) => (/^[A-Za-z_$][\w$]*$/.test(s) ? s : q(s));

/** `.pkg.A.B` -> `A.B`: names inside the schema are relative to its package. */
const local = (pkg: string, fullName: string) => fullName.replace(/^\./, '').slice(pkg.length + 1);

function fieldSpec(pkg: string, f: protobuf.Field): string {
  const where = `${f.parent?.fullName}.${f.name}`;
  if (f.partOf) throw new Error(`${where}: oneof is not supported by proto-codec.ts`);
  const type = f.resolvedType ? local(pkg, f.resolvedType.fullName) : f.type;
  if (!f.resolvedType && !SCALARS.includes(type)) throw new Error(`${where}: type ${type} is not supported by proto-codec.ts`);
  const parts = [q(f.name), String(f.id), q(type)];
  if (f instanceof protobuf.MapField) {
    if (f.keyType !== 'string') throw new Error(`${where}: map key type ${f.keyType} is not supported by proto-codec.ts`);
    parts.push("'map'");
  } else if (f.repeated) parts.push("'repeated'");
  return `[${parts.join(', ')}]`;
}

const block = (lines: string[]) => (lines.length ? `{\n${lines.join('\n')}\n  }` : '{}');

/** The generated module's text for `proto` (its contents). */
export function renderSchema(t: SchemaTarget, text: string): string {
  const { pkg: pkgNs } = parseProto(text);
  const pkg = pkgNs.fullName.replace(/^\./, '');
  const messages: string[] = [];
  const enums: string[] = [];
  const services: string[] = [];
  const walk = (ns: protobuf.NamespaceBase): void => {
    for (const child of ns.nestedArray) {
      if (child instanceof protobuf.Type) {
        if (child.oneofsArray.length) throw new Error(`${child.fullName}: oneof is not supported by proto-codec.ts`);
        const fields = [...child.fieldsArray].sort((a, b) => a.id - b.id).map((f) => fieldSpec(pkg, f));
        messages.push(`    ${key(local(pkg, child.fullName))}: [${fields.join(', ')}],`);
      } else if (child instanceof protobuf.Enum) {
        const values = Object.entries(child.values).map(([k, v]) => `${k}: ${v}`);
        enums.push(`    ${key(local(pkg, child.fullName))}: { ${values.join(', ')} },`);
      } else if (child instanceof protobuf.Service) {
        const methods = child.methodsArray.map((m) => {
          if (m.requestStream) throw new Error(`${m.fullName}: client streaming is not supported by the agent's gRPC client`);
          const kind = m.responseStream ? ", 'server-stream'" : '';
          return `    ${m.name}: [${q(local(pkg, m.resolvedRequestType!.fullName))}, ${q(local(pkg, m.resolvedResponseType!.fullName))}${kind}],`;
        });
        services.push(`  ${child.name}: {\n${methods.join('\n')}\n  },`);
      }
      if (child instanceof protobuf.Namespace) walk(child);
    }
  };
  walk(pkgNs);
  let codec = relative(dirname(t.out), CODEC).replace(/\.ts$/, '.js');
  if (!codec.startsWith('.')) codec = `./${codec}`;
  const file = t.proto.split('/').pop();
  return `// Generated from ${file} by src/agent/grpc/testing/proto-schema-gen.ts: do not edit. After changing
// ${file}, run \`node --import tsx src/agent/grpc/testing/proto-schema-gen.ts\` (proto-schema.test.ts
// fails while this file is stale). Fields: [name (as protobufjs camelCases it), number, type, label].
import type { ProtoSchema, ServiceMethods } from '${codec}';

export const ${t.schemaName}: ProtoSchema = {
  package: '${pkg}',
  messages: ${block(messages)},
  enums: ${block(enums)},
};

/** Each service's methods: [request, response, 'server-stream' when the server streams]. */
export const ${t.servicesName}: Record<string, ServiceMethods> = {
${services.join('\n')}
};
`;
}

/** Each target's path and its generated text from the .proto on disk. */
export function renderAll(): Array<{ out: string; text: string }> {
  return TARGETS.map((t) => ({ out: t.out, text: renderSchema(t, readFileSync(`${REPO_ROOT}${t.proto}`, 'utf8')) }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const { out, text } of renderAll()) {
    writeFileSync(`${REPO_ROOT}${out}`, text);
    process.stdout.write(`wrote ${out}\n`);
  }
}
