export { SharedInformer, type EventHandler, type InformerOptions } from './shared-informer.js';
export { SharedInformerFactory, type InformerScope } from './informer-factory.js';
export { Reflector, type ReflectorOptions, type ReflectorSink } from './reflector.js';
export { Indexer, indexers, NAMESPACE_INDEX, copyOf, deepFreeze, type IndexFunc } from './indexer.js';
export { keyOf, keyString, parseKey, type ObjectKey } from './keys.js';
export { WrittenObjects } from './written-objects.js';
