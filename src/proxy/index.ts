/** The node's service proxy: `startProxy` (informers -> render -> nft), plus its pure render for tools and tests. */
export { startProxy, type Proxy, type ProxyOptions } from './proxy.js';
export { renderRuleset, type Ruleset } from './render/ruleset.js';
export type { ProxyInput } from './render/model.js';
export { NftApplier } from './apply/applier.js';
