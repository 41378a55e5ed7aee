/**
 * A set of field paths (structured-merge-diff's fieldpath.Set) and its FieldsV1 encoding.
 * A path is a list of path elements written as in FieldsV1: `f:<field>`, `k:<json of key fields>`,
 * `v:<json value>`, `i:<index>`. A node holds the elements that are members (paths that end
 * there) and children (paths that go deeper); a path can be both, which FieldsV1 writes as `.`.
 *
 * A set is immutable once its builder hands it on: union, difference and intersection may return
 * an operand itself or share its subtrees (a manager's set the write leaves alone stays the same
 * object, and its stored FieldsV1 is written back as it was).
 */
import { sortElements } from './path-element.js';

export class FieldSet {
  private ownMembers = new Set<string>();
  private ownChildren = new Map<string, FieldSet>();
  /**
   * FieldsV1 not yet read into members and children (a stored entry, trusted to be well formed).
   * Most writes leave most managers' sets untouched: those are compared against this JSON as it
   * is and written back as it was, never decoded or encoded.
   */
  private raw?: Record<string, unknown>;

  get members(): Set<string> {
    if (this.raw) this.materialize();
    return this.ownMembers;
  }

  get children(): Map<string, FieldSet> {
    if (this.raw) this.materialize();
    return this.ownChildren;
  }

  /** A set read from stored FieldsV1 only when needed (the JSON must be valid FieldsV1). */
  static lazyFromFieldsV1(v: Record<string, unknown>): FieldSet {
    const s = new FieldSet();
    s.raw = v;
    return s;
  }

  // One level at a time: the children are lazy sets over their own stored FieldsV1, so a write
  // reads (and toFieldsV1 re-encodes) only the paths it touches; the rest is written back as stored.
  private materialize(): void {
    const raw = this.raw!;
    this.raw = undefined;
    fillLevel(this, raw);
  }

  static fromPaths(paths: string[][]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: readonly string[], from = 0): void {
    if (path.length === 0) return;
    if (from === path.length - 1) this.members.add(path[from]!);
    else this.child(path[from]!).insert(path, from + 1);
  }

  /** The child node for `el`, created when missing. */
  child(el: string): FieldSet {
    let c = this.children.get(el);
    if (!c) {
      c = new FieldSet();
      this.children.set(el, c);
    }
    return c;
  }

  has(path: readonly string[], from = 0): boolean {
    if (path.length === 0) return false;
    if (from === path.length - 1) return this.members.has(path[from]!);
    return this.children.get(path[from]!)?.has(path, from + 1) ?? false;
  }

  isEmpty(): boolean {
    if (this.raw) return rawIsEmpty(this.raw);
    if (this.members.size > 0) return false;
    for (const c of this.children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  union(o: FieldSet): FieldSet {
    if (o.isEmpty() || (this.raw && rawContains(this.raw, o))) return this;
    const out = new FieldSet();
    for (const m of this.members) out.members.add(m);
    for (const m of o.members) out.members.add(m);
    for (const [k, c] of this.children) out.children.set(k, c.union(o.children.get(k) ?? EMPTY));
    for (const [k, c] of o.children) if (!this.children.has(k)) out.children.set(k, c.union(EMPTY));
    return out.pruned();
  }

  /** Paths of this set that are not in `o` (exact paths, not subtrees). */
  difference(o: FieldSet): FieldSet {
    if ((this.raw && !rawIntersects(this.raw, o)) || o.isEmpty()) return this;
    const out = new FieldSet();
    for (const m of this.members) if (!o.members.has(m)) out.members.add(m);
    for (const [k, c] of this.children) {
      const oc = o.children.get(k);
      out.children.set(k, oc ? c.difference(oc) : c.union(EMPTY));
    }
    return out.pruned();
  }

  intersection(o: FieldSet): FieldSet {
    if (this.raw && !rawIntersects(this.raw, o)) return new FieldSet();
    const out = new FieldSet();
    for (const m of this.members) if (o.members.has(m)) out.members.add(m);
    for (const [k, c] of this.children) {
      const oc = o.children.get(k);
      if (oc) out.children.set(k, c.intersection(oc));
    }
    return out.pruned();
  }

  /**
   * Removes the path `path` (a member), or with `subtree` everything under it too, pruning nodes
   * left empty. Only for a set its builder still owns (see the class comment).
   */
  remove(path: readonly string[], subtree = false, from = 0): void {
    const el = path[from]!;
    if (from === path.length - 1) {
      this.members.delete(el);
      if (subtree) this.children.delete(el);
      return;
    }
    const c = this.children.get(el);
    if (!c) return;
    c.remove(path, subtree, from + 1);
    if (c.isEmpty()) this.children.delete(el);
  }

  /** Every path of the set, depth first in sorted element order. */
  paths(prefix: string[] = [], out: string[][] = []): string[][] {
    for (const el of sortElements([...new Set([...this.members, ...this.children.keys()])])) {
      const p = [...prefix, el];
      if (this.members.has(el)) out.push(p);
      this.children.get(el)?.paths(p, out);
    }
    return out;
  }

  equals(o: FieldSet): boolean {
    return this.difference(o).isEmpty() && o.difference(this).isEmpty();
  }

  /** FieldsV1 JSON: `{"f:spec":{"f:replicas":{}}}`, with `.` for a path that also has children. */
  toFieldsV1(): Record<string, unknown> {
    if (this.raw) return '.' in this.raw ? withoutDot(this.raw) : this.raw;
    const members = this.ownMembers;
    const children = this.ownChildren;
    const els: string[] = [];
    for (const m of members) els.push(m);
    for (const [k, c] of children) if (!members.has(k) && !c.isEmpty()) els.push(k);
    const out: Record<string, unknown> = {};
    for (const el of sortElements(els)) {
      const c = children.get(el);
      if (!c || c.isEmpty()) {
        out[el] = {};
      } else if (members.has(el)) {
        // A lazy child read from stored `{".":{},...}` is that very JSON again.
        if (c.raw && '.' in c.raw) {
          out[el] = c.raw;
          continue;
        }
        // `.` first, then the children, as Go encodes the map.
        const sub: Record<string, unknown> = { '.': {} };
        Object.assign(sub, c.toFieldsV1());
        out[el] = sub;
      } else {
        out[el] = c.toFieldsV1();
      }
    }
    return out;
  }

  /** Parse FieldsV1 JSON; throws on anything that is not an object of objects. */
  static fromFieldsV1(v: unknown): FieldSet {
    const s = new FieldSet();
    fill(s, v);
    return s;
  }

  private pruned(): FieldSet {
    for (const [k, c] of this.children) if (c.isEmpty()) this.children.delete(k);
    return this;
  }
}

const EMPTY = new FieldSet();

/** Whether FieldsV1 JSON and a set share an exact path (a member of both). */
function rawIntersects(raw: Record<string, unknown>, o: FieldSet): boolean {
  for (const m of o.members) {
    const sub = raw[m] as Record<string, unknown> | undefined;
    if (sub !== undefined && (Object.keys(sub).length === 0 || '.' in sub)) return true;
  }
  for (const [k, c] of o.children) {
    const sub = raw[k];
    if (typeof sub === 'object' && sub !== null && rawIntersects(sub as Record<string, unknown>, c)) return true;
  }
  return false;
}

/** Whether FieldsV1 JSON holds every path of a set. */
function rawContains(raw: Record<string, unknown>, o: FieldSet): boolean {
  for (const m of o.members) {
    const sub = raw[m] as Record<string, unknown> | undefined;
    if (sub === undefined || !(Object.keys(sub).length === 0 || '.' in sub)) return false;
  }
  for (const [k, c] of o.children) {
    const sub = raw[k];
    if (typeof sub === 'object' && sub !== null) {
      if (!rawContains(sub as Record<string, unknown>, c)) return false;
    } else if (!c.isEmpty()) {
      return false;
    }
  }
  return true;
}

/**
 * A stored set's FieldsV1 JSON as a lazy set may hold it: a child's JSON keeps its `.` (the parent's
 * membership, which the parent records), which the child itself ignores.
 */
function rawIsEmpty(raw: Record<string, unknown>): boolean {
  for (const k in raw) if (k !== '.') return false;
  return true;
}

function withoutDot(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in raw) if (k !== '.') out[k] = raw[k];
  return out;
}

/** One level of stored (trusted) FieldsV1: members here, children as lazy sets over their JSON. */
function fillLevel(node: FieldSet, v: Record<string, unknown>): void {
  for (const el in v) {
    if (el === '.') continue;
    const sub = v[el] as Record<string, unknown>;
    let member = false;
    let deeper = false;
    for (const k in sub) {
      if (k === '.') member = true;
      else deeper = true;
    }
    if (member || !deeper) node.members.add(el);
    if (deeper) node.children.set(el, FieldSet.lazyFromFieldsV1(sub));
  }
}

function fill(node: FieldSet, v: unknown): void {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('FieldsV1 must be an object');
  for (const [el, sub] of Object.entries(v)) {
    if (el === '.') continue;
    if (!/^[fkvi]:/.test(el)) throw new Error(`unknown FieldsV1 path element ${JSON.stringify(el)}`);
    if (typeof sub !== 'object' || sub === null || Array.isArray(sub)) throw new Error('FieldsV1 must be an object');
    const keys = Object.keys(sub);
    if (keys.length === 0 || keys.includes('.')) node.members.add(el);
    if (keys.some((k) => k !== '.')) fill(node.child(el), sub);
  }
}
