/**
 * A small stand-in for the kinds' `fieldInfo(path)` used by this folder's tests: the merge keys,
 * strategies and list types of the Deployment / Pod fields the tests touch, as in k8s.io/api.
 */
import type { FieldInfo } from '../../../api/resource.js';
import type { FieldInfoLookup } from '../json-value.js';

const podSpec: Record<string, FieldInfo> = {
  containers: { type: 'array', patchMergeKey: 'name', patchStrategy: 'merge', listType: 'map', listMapKeys: ['name'] },
  initContainers: { type: 'array', patchMergeKey: 'name', patchStrategy: 'merge', listType: 'map', listMapKeys: ['name'] },
  'containers.ports': { type: 'array', patchMergeKey: 'containerPort', patchStrategy: 'merge', listType: 'map', listMapKeys: ['containerPort', 'protocol'] },
  'containers.env': { type: 'array', patchMergeKey: 'name', patchStrategy: 'merge', listType: 'map', listMapKeys: ['name'] },
  'containers.volumeMounts': { type: 'array', patchMergeKey: 'mountPath', patchStrategy: 'merge', listType: 'map', listMapKeys: ['mountPath'] },
  'containers.args': { type: 'array', listType: 'atomic' },
  'containers.command': { type: 'array', listType: 'atomic' },
  'containers.resources': { type: 'object' },
  'containers.resources.limits': { type: 'map' },
  volumes: { type: 'array', patchMergeKey: 'name', patchStrategy: 'merge,retainKeys', listType: 'map', listMapKeys: ['name'] },
  tolerations: { type: 'array', listType: 'atomic' },
  nodeSelector: { type: 'map', mapType: 'atomic' },
};

const table = new Map<string, FieldInfo>([
  ['metadata', { type: 'object' }],
  ['metadata.labels', { type: 'map' }],
  ['metadata.annotations', { type: 'map' }],
  ['metadata.finalizers', { type: 'array', patchStrategy: 'merge', listType: 'set' }],
  ['metadata.ownerReferences', { type: 'array', patchMergeKey: 'uid', patchStrategy: 'merge', listType: 'map', listMapKeys: ['uid'] }],
  ['spec', { type: 'object' }],
  ['spec.replicas', { type: 'integer' }],
  ['spec.selector', { type: 'object', mapType: 'atomic' }],
  ['spec.strategy', { type: 'object', patchStrategy: 'retainKeys' }],
  ['spec.template.metadata.labels', { type: 'map' }],
  ['spec.template.metadata.annotations', { type: 'map' }],
  ...Object.entries(podSpec).map(([k, v]) => [`spec.template.spec.${k}`, v] as [string, FieldInfo]),
  ...Object.entries(podSpec).map(([k, v]) => [`spec.${k}`, v] as [string, FieldInfo]),
  ['spec.template.spec.volumes.configMap.items', { type: 'array', listType: 'atomic' }],
  ['spec.ports', { type: 'array', patchMergeKey: 'port', patchStrategy: 'merge', listType: 'map', listMapKeys: ['port', 'protocol'] }],
  ['data', { type: 'map' }],
]);

/** Lookup over the table; unknown paths answer undefined, as a schema-less field would. */
export const testFieldInfo: FieldInfoLookup = (path) => table.get(path.join('.'));
