/** core/v1 ConfigMap: data must not change once `immutable` is set. */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import { deepEqual } from '../../schema/equal.js';
import { fe } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { col } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';

export const configMapSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  immutable: s.bool('Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated (only object metadata can be modified). If not set to true, the field can be modified at any time. Defaulted to nil.'),
  data: s.stringMap("Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process."),
  binaryData: s.map(s.bytes(), "BinaryData contains the binary data. Each key must consist of alphanumeric characters, '-', '_' or '.'. BinaryData can contain byte sequences that are not in the UTF-8 range. The keys stored in BinaryData must not overlap with the ones in the Data field, this is enforced during validation process. Using this field will require 1.10+ apiserver and kubectl."),
}, { name: 'io.k8s.api.core.v1.ConfigMap', gvk: gvk('', 'v1', 'ConfigMap'), description: 'ConfigMap holds configuration data for pods to consume.' });

export type ConfigMap = Infer<typeof configMapSchema> & { metadata: ObjectMeta };

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const MAX_SIZE = 1024 * 1024;
/** field.NewPath("").String(): the path upstream gives an error about the whole object. */
export const WHOLE_OBJECT = '[]';

/** IsConfigMapKey: the key rules shared by ConfigMap and Secret data. */
export function validateDataKeys(keys: string[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of keys) {
    if (k.length > 253) errs.push(fe.invalid(`${path}[${k}]`, k, 'must be no more than 253 characters'));
    if (!CONFIG_KEY.test(k)) errs.push(fe.invalid(`${path}[${k}]`, k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
    if (k === '.' || k === '..') errs.push(fe.invalid(`${path}[${k}]`, k, `must not be '${k}'`));
    else if (k.startsWith('..')) errs.push(fe.invalid(`${path}[${k}]`, k, "must not start with '..'"));
  }
  return errs;
}

function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errs = [...validateDataKeys(Object.keys(cm.data ?? {}), 'data'), ...validateDataKeys(Object.keys(cm.binaryData ?? {}), 'binaryData')];
  let total = 0;
  for (const [k, v] of Object.entries(cm.data ?? {})) {
    total += typeof v === 'string' ? Buffer.byteLength(v) : 0;
    if (cm.binaryData && k in cm.binaryData) errs.push(fe.invalid(`data[${k}]`, k, 'duplicate of key present in binaryData'));
  }
  for (const v of Object.values(cm.binaryData ?? {})) total += Math.floor((v.length * 3) / 4);
  // Upstream reports the whole object: field.TooLong(field.NewPath(""), ...), whose path prints as
  // `[]` (a root element without a name renders as an empty subscript).
  if (total > MAX_SIZE) errs.push(fe.tooLong(WHOLE_OBJECT, MAX_SIZE));
  return errs;
}

/** The immutable-object rule shared with Secret. */
export function validateImmutableData(obj: { immutable?: boolean; data?: unknown; binaryData?: unknown }, old: { immutable?: boolean; data?: unknown; binaryData?: unknown }, dataFields: string[]): FieldError[] {
  if (!old.immutable) return [];
  const errs: FieldError[] = [];
  if (!obj.immutable) errs.push(fe.forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of dataFields) {
    if (!deepEqual((obj as Record<string, unknown>)[f] ?? {}, (old as Record<string, unknown>)[f] ?? {})) errs.push(fe.forbidden(f, 'field is immutable when `immutable` is set'));
  }
  return errs;
}

export const configMaps = defineKind<ConfigMap>({
  group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'],
  schema: configMapSchema, nameValidator: nameIsDNSSubdomain,
  validate: validateConfigMap,
  validateUpdate: (cm, old) => validateImmutableData(cm, old, ['data', 'binaryData']),
  columns: [col('Data', 'string', 'Data contains the configuration data.')],
  cells: (cm) => [Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length],
  protobufMessage: 'k8s.io.api.core.v1.ConfigMap',
});
