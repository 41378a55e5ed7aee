/** The node's NetworkPolicy enforcer (informers -> render -> nft), plus its pure render for tools and tests. */
export { nodeSourceIPs, policyTableFor, removePolicyTable, startNetworkPolicyEnforcer, type Enforcer, type EnforcerOptions } from './enforcer.js';
export { renderPolicyRuleset, type PolicyRuleset } from './render/ruleset.js';
export { readPolicyDrops, type PolicyDrops } from './drop-counters.js';
