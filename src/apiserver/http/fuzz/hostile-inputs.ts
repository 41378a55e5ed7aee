/**
 * Generators of malformed and hostile API requests for the fuzz test, driven by a seeded PRNG so a
 * failing run is reproduced from its seed. Every request targets ConfigMaps or Secrets of one
 * namespace (names drawn from the caller's own pool, so the caller can keep a model of what the
 * store must hold) or a path that must not exist. Categories: bodies (truncated JSON, deep
 * nesting, huge numbers, wrong types, unicode), patches of every type with bad operations, query
 * strings, headers (content types, Accept, oversized headers), protobuf garbage behind the k8s
 * magic prefix, and garbage paths and methods.
 */

/** mulberry32: small, fast, good enough for test input. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** The object name it writes, when it targets one of the pool's names. */
  name?: string;
  resource?: 'configmaps' | 'secrets';
  what: string;
}

export class HostileInputs {
  constructor(private readonly rnd: () => number, private readonly namespace: string) {}

  int(n: number): number {
    return Math.floor(this.rnd() * n);
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }

  chance(p: number): boolean {
    return this.rnd() < p;
  }

  /** Strings with the awkward parts of Unicode: emoji, combining marks, RTL, NUL, lone surrogates. */
  text(max = 24): string {
    const parts = ['a', 'Z', '0', '-', '.', '_', ' ', 'é', '日本', '🙂', '\u0301', '\u202e', '\u0000', '\ud800', '\udfff', '"', '\\', '/', '%', '\n', '${x}', '<script>'];
    let s = '';
    const n = this.int(max);
    for (let i = 0; i < n; i++) s += this.pick(parts);
    return s;
  }

  /** A value of a random JSON type, sometimes a huge number or deep nesting. */
  value(depth = 0): unknown {
    switch (this.int(depth > 2 ? 6 : 9)) {
      case 0: return null;
      case 1: return this.chance(0.5);
      case 2: return this.pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, 1e-320]);
      case 3: return this.text();
      case 4: return 'x'.repeat(this.pick([0, 1, 1000, 70_000]));
      case 5: return this.deep(this.pick([10, 500, 1000]));
      case 6: return [this.value(depth + 1), this.value(depth + 1)];
      default: return { [this.text(6)]: this.value(depth + 1), k: this.value(depth + 1) };
    }
  }

  /** `depth` nested arrays or objects (deeper nesting is made as text, in json()). */
  deep(depth: number): unknown {
    let v: unknown = 'bottom';
    const asObject = this.chance(0.5);
    for (let i = 0; i < depth; i++) v = asObject ? { a: v } : [v];
    return v;
  }

  object(resource: 'configmaps' | 'secrets', name: string): Record<string, unknown> {
    const kind = resource === 'configmaps' ? 'ConfigMap' : 'Secret';
    const dataKey = this.pick(['k', 'key.name', 'KEY_NAME', 'a-b']);
    const data = resource === 'configmaps' ? { [dataKey]: this.text(40) } : { [dataKey]: Buffer.from(this.text(20)).toString('base64') };
    return { apiVersion: 'v1', kind, metadata: { name, namespace: this.namespace, labels: { app: 'fuzz' } }, data };
  }

  /** Breaks a valid object one way: wrong types, bad names, unknown or huge fields, deep nesting. */
  corrupt(obj: Record<string, unknown>): Record<string, unknown> {
    const o = structuredClone(obj) as Record<string, any>;
    switch (this.int(12)) {
      case 0: o.metadata = this.pick(['str', 5, [], null]); break;
      case 1: o.metadata.name = this.pick([123, '', 'UPPER', 'a'.repeat(300), `Bad_${this.text()}`, '../x', null]); break;
      case 2: o.data = this.pick([[1, 2], 'str', { k: 5 }, { k: null }, { 'bad key!': 'v' }, { k: { nested: 1 } }]); break;
      case 3: o.metadata.labels = this.pick([{ a: {} }, { 'x/y/z': 'v' }, { a: 'v'.repeat(70) }, 'labels', { [this.text(8)]: this.text(8) }]); break;
      case 4: o.apiVersion = this.pick([5, 'v2', 'apps/v1', '', null]); break;
      case 5: o.kind = this.pick(['Pod', 5, '', 'configmap']); break;
      case 6: o.metadata.annotations = { big: 'a'.repeat(this.pick([300_000, 10])) }; break;
      case 7: o.unknownField = this.value(); break;
      case 8: o.metadata.finalizers = this.pick([['a/b'], ['bad finalizer'], 'x', [5]]); break;
      case 9: o.metadata.resourceVersion = this.pick(['abc', '-1', '99999999999999999999', 5]); break;
      case 10: o.data = { k: this.deep(this.pick([100, 1000])) }; break;
      default: o.metadata.namespace = this.pick(['other', '', 5]); break;
    }
    return o;
  }

  /** JSON text of `v`, sometimes cut short or with a number too large for any integer type. */
  json(v: unknown): string {
    const text = JSON.stringify(v);
    switch (this.int(8)) {
      case 0: return text.slice(0, this.int(text.length));
      case 1: return text.replace(/}$/, ',"n":123456789012345678901234567890e999999}');
      case 2: return `${text} trailing`;
      case 3: return '[]'.repeat(this.int(3)) + '['.repeat(this.pick([100, 10_000, 50_000])) + ']'.repeat(this.int(3));
      case 4: {
        // Nesting far deeper than JSON.stringify can build, closed properly: valid JSON.
        const n = this.pick([1_001, 5_000, 50_000]);
        return text.replace(/}$/, `,"deep":${'['.repeat(n)}${']'.repeat(n)}}`);
      }
      default: return text;
    }
  }

  patchBody(type: string, base: Record<string, unknown>): string {
    if (type === 'application/json-patch+json') {
      const ops = Array.from({ length: 1 + this.int(6) }, () => this.patchOp());
      return this.chance(0.2) ? JSON.stringify(this.pick([{}, 'op', ops[0], null])) : this.json(ops);
    }
    if (type === 'application/apply-patch+yaml') {
      return this.pick([
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${String((base.metadata as { name: string }).name)}\ndata:\n  k: v\n`,
        'a: &a [1,1,1]\nb: &b [*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n',
        ': : :\n\t- bad', '--- \n a: 1\n---\nb: 2\n', `{"apiVersion": "v1", "kind": "ConfigMap"}`, this.text(60),
      ]);
    }
    const directives = [{ $patch: 'delete' }, { $patch: 'replace' }, { $patch: 5 }, { $retainKeys: ['x'] }, { '$setElementOrder/data': [{ k: 1 }] }, { $deleteFromPrimitiveList: 5 }];
    const body = this.pick<unknown>([
      { data: { k: this.value() } }, { metadata: { labels: null } }, { metadata: this.value() }, [1, 2], null, 'str',
      { data: this.pick(directives) }, this.pick(directives), { metadata: { finalizers: { $patch: 'delete' } } },
      { data: { [this.text(6)]: this.text() } }, { apiVersion: 'v2' }, { metadata: { name: 'renamed' } },
    ]);
    return this.json(body);
  }

  private patchOp(): unknown {
    const op = this.pick(['add', 'remove', 'replace', 'move', 'copy', 'test', 'hack', '', 5]);
    const path = this.pick(['/data/k', '/data', '/metadata/name', '/metadata/labels/a', 'data', '', '/', '/__proto__/x', '/data/~2', '/metadata/finalizers/-', '/data/k/0/1', '/spec']);
    const from = this.pick(['/data', '/data/k', '/metadata', '/__proto__', '/nope', '', 7]);
    const r: Record<string, unknown> = { op, path };
    if (this.chance(0.7)) r.value = this.value();
    if (this.chance(0.5)) r.from = from;
    if (this.chance(0.1)) delete r.path;
    return r;
  }

  /** Protobuf garbage: the magic prefix and random bytes, or a plausible Unknown envelope with lying lengths. */
  protobuf(): Buffer {
    const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
    const rand = Buffer.from(Array.from({ length: this.int(200) }, () => this.int(256)));
    switch (this.int(4)) {
      case 0: return Buffer.concat([magic, rand]);
      case 1: return Buffer.concat([magic, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), rand]);
      case 2: return Buffer.concat([magic, Buffer.from([0x0a, 0x08, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x02, 0x43, 0x4d, 0x12, 0x05]), rand]);
      default: return this.chance(0.5) ? magic : rand;
    }
  }

  query(): string {
    const params = [
      ['labelSelector', this.pick(['a in (', '!!', 'a==b==c', 'a notin (x,y)', `${this.text(5)}=x`, 'app=fuzz', ''])],
      ['fieldSelector', this.pick(['metadata.name=x', 'spec.bogus=1', 'a', '==', 'metadata.name!=', ''])],
      ['limit', this.pick(['-1', 'abc', '1e99', '0', '3', '99999999999999999999'])],
      ['continue', this.pick(['garbage', 'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6LTF9', '%%%', ''])],
      ['resourceVersion', this.pick(['abc', '-1', '0', '99999999999999999999', ''])],
      ['resourceVersionMatch', this.pick(['Exact', 'NotOlderThan', 'bogus'])],
      ['timeoutSeconds', this.pick(['x', '-5', '1'])],
      ['dryRun', this.pick(['All', 'bogus', ''])],
      ['fieldManager', this.pick(['m', 'x'.repeat(200), this.text(10)])],
      ['fieldValidation', this.pick(['Strict', 'Warn', 'Ignore', 'Bogus'])],
      ['propagationPolicy', this.pick(['Orphan', 'Background', 'Bogus'])],
      ['gracePeriodSeconds', this.pick(['-5', 'abc', '0'])],
      // Anything but 0 or false is a watch (src/api/query-params.ts): never sent here.
      ['watch', this.pick(['false', '0', 'FALSE'])],
      ['pretty', this.pick(['true', 'x'])],
      [this.text(4), this.text(4)],
    ] as const;
    const n = this.int(4);
    const out = new URLSearchParams();
    for (let i = 0; i < n; i++) {
      const [k, v] = this.pick(params);
      out.append(k, v);
    }
    const q = out.toString();
    return q ? `?${q}` : '';
  }

  headers(contentType?: string): Record<string, string> {
    const h: Record<string, string> = {};
    if (contentType !== undefined) h['Content-Type'] = contentType;
    if (this.chance(0.15)) h['Content-Type'] = this.pick(['text/plain', 'application/json;charset=utf-16', 'application/vnd.kubernetes.protobuf', 'multipart/form-data; boundary=x', '', 'application/json; foo="bar', '*/*', 'application/x-www-form-urlencoded']);
    if (this.chance(0.2)) h.Accept = this.pick(['application/json;as=Table;g=meta.k8s.io;v=v1', 'application/json;as=Bogus;v=v1;g=x', 'application/yaml', 'text/html', 'application/vnd.kubernetes.protobuf', ',,,', 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1']);
    if (this.chance(0.02)) h['X-Huge'] = 'h'.repeat(this.pick([20_000, 70_000]));
    if (this.chance(0.05)) h['Impersonate-User'] = 'system:admin';
    return h;
  }
}
