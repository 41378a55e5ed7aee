/**
 * The `nft -f` scripts that move Bosun's table from one rendered ruleset to the next, each ONE
 * transaction (pure): packets never see a half-applied state, and established connections keep
 * their conntrack NAT entries whatever the rules become.
 *
 * - Full (first sync, after a failure, or when the static base changed): create-then-delete the
 *   table and define it afresh.
 * - Incremental (the previous ruleset is known and its base is unchanged): touch only what differs,
 *   as kube-proxy's partial syncs do, so an endpoint change costs a few statements instead of the
 *   whole table: (1) flush changed and removed chains, (2) delete removed elements, (3) delete removed
 *   chains and affinity sets, (4) add new chains and affinity sets, (5) add the rules of new and
 *   changed chains, (6) add new elements. Affinity sets that remain keep their entries.
 */
import { TABLE_NAME } from '../render/names.js';
import type { Ruleset } from '../render/ruleset.js';

/** The table a script addresses. */
const tableOf = (r: Pick<Ruleset, 'table'> | undefined): string => `ip ${r?.table ?? TABLE_NAME}`;

export function fullTransaction(next: Ruleset): string {
  const T = tableOf(next);
  return [`add table ${T}`, `delete table ${T}`, next.text].join('\n');
}

/** The key of an element: a map element's part before ` : `, a set element as is. */
function elementKey(e: string): string {
  const i = e.indexOf(' : ');
  return i < 0 ? e : e.slice(0, i);
}

/** The incremental script, or undefined when a full one is needed (base changed). '' when nothing changed. */
export function incrementalTransaction(prev: Ruleset, next: Ruleset): string | undefined {
  if (prev.base !== next.base || prev.table !== next.table) return undefined;
  const T = tableOf(next);
  const flush: string[] = [];
  const delElems: string[] = [];
  const delObjs: string[] = [];
  const addObjs: string[] = [];
  const addRules: string[] = [];
  const addElems: string[] = [];

  for (const [name, rules] of prev.chains) {
    const now = next.chains.get(name);
    if (!now) {
      flush.push(`flush chain ${T} ${name}`);
      delObjs.push(`delete chain ${T} ${name}`);
    } else if (now.join('\n') !== rules.join('\n')) {
      flush.push(`flush chain ${T} ${name}`);
      for (const r of now) addRules.push(`add rule ${T} ${name} ${r}`);
    }
  }
  for (const [name, rules] of next.chains) {
    if (prev.chains.has(name)) continue;
    addObjs.push(`add chain ${T} ${name}`);
    for (const r of rules) addRules.push(`add rule ${T} ${name} ${r}`);
  }
  for (const [name, timeout] of prev.affinitySets) {
    const now = next.affinitySets.get(name);
    if (now === timeout) continue;
    delObjs.push(`delete set ${T} ${name}`);
  }
  for (const [name, timeout] of next.affinitySets) {
    if (prev.affinitySets.get(name) === timeout) continue;
    addObjs.push(`add set ${T} ${name} { type ipv4_addr; flags dynamic,timeout; timeout ${timeout}s; }`);
  }
  for (const [set, elems] of next.elements) {
    const before = prev.elements.get(set) ?? new Set<string>();
    for (const e of before) if (!elems.has(e)) delElems.push(`delete element ${T} ${set} { ${elementKey(e)} }`);
    for (const e of elems) if (!before.has(e)) addElems.push(`add element ${T} ${set} { ${e} }`);
  }
  return [...flush, ...delElems, ...delObjs, ...addObjs, ...addRules, ...addElems].join('\n');
}

/** Removes the table (and so every rule Bosun installed); a missing table is not an error. */
export function removeTransaction(table: string = TABLE_NAME): string {
  const T = tableOf({ table });
  return [`add table ${T}`, `delete table ${T}`].join('\n');
}
