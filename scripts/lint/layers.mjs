// ESLint rules for the tree's layering (docs/architecture.md, "Folders"). Each file belongs to one
// component (a folder under src/, or src/controllers/<name>); a component may import only itself and
// the components this table lets it. The rules resolve every relative import against the importing
// file, so `../replicaset/types.js` from controllers/deployment is caught however it is spelled.
import fs from 'node:fs';
import path from 'node:path';

const API_CLIENT_RUNTIME = ['api', 'client', 'controller-runtime'];
/** component -> what it may import besides itself. '*' = any product component. */
export const ALLOWED = {
  api: [],
  store: ['api'],
  apiserver: ['api', 'store'],
  client: ['api'],
  'controller-runtime': ['api', 'client'],
  controllers: API_CLIENT_RUNTIME, // each src/controllers/<name>; the registry (controllers/index.ts) may import them all
  scheduler: API_CLIENT_RUNTIME,
  agent: API_CLIENT_RUNTIME,
  proxy: API_CLIENT_RUNTIME,
  'network-policy': API_CLIENT_RUNTIME,
  dns: API_CLIENT_RUNTIME,
  ingress: API_CLIENT_RUNTIME,
  'simulated-nodes': API_CLIENT_RUNTIME,
  cluster: ['*'], // composition roots
  cli: ['*'],
};

const WHY = 'components talk to each other only through the API (src/client); code two components share belongs in src/api (pure) or src/controller-runtime';

/** The component of a path relative to the repo root, or undefined outside src/. */
export function componentOf(rel) {
  const parts = rel.split(path.sep).join('/').split('/');
  if (parts[0] !== 'src' || parts.length < 3) return undefined;
  if (parts[1] === 'controllers') return parts.length === 3 ? 'controllers/index' : `controllers/${parts[2]}`;
  return parts[1];
}

/** Test-only code: harnesses, contract suites, fixtures and the tests themselves. */
export function isTestSupport(rel) {
  const p = rel.split(path.sep).join('/');
  return /(^|\/)(testing|testdata)\//.test(p) || /\.test\.[jt]s$/.test(p) || /(^|[/-])contract\.[jt]s$/.test(p) || /(^|\/)fixtures\.[jt]s$/.test(p);
}

function mayImport(from, to) {
  if (from === to) return true;
  if (from === 'controllers/index') return to.startsWith('controllers/') || API_CLIENT_RUNTIME.includes(to);
  const base = from.startsWith('controllers/') ? 'controllers' : from;
  const allowed = ALLOWED[base];
  if (!allowed) return true; // testing and anything new: checked by review, not here
  return allowed.includes('*') || allowed.includes(to);
}

function resolve(context, spec) {
  if (!spec.startsWith('.')) return undefined;
  const cwd = context.cwd ?? process.cwd();
  const abs = path.resolve(path.dirname(context.filename), spec);
  return path.relative(cwd, abs);
}

function importVisitors(check) {
  return {
    ImportDeclaration: (n) => check(n.source),
    ExportNamedDeclaration: (n) => n.source && check(n.source),
    ExportAllDeclaration: (n) => check(n.source),
    ImportExpression: (n) => n.source.type === 'Literal' && check(n.source),
  };
}

const componentBoundaries = {
  meta: { type: 'problem', schema: [], docs: { description: 'a component imports only the components it is allowed' } },
  create(context) {
    const self = path.relative(context.cwd ?? process.cwd(), context.filename);
    const from = componentOf(self);
    if (!from || isTestSupport(self)) return {};
    return importVisitors((source) => {
      const target = resolve(context, String(source.value));
      const to = target && componentOf(target);
      if (!to || mayImport(from, to)) return;
      context.report({ node: source, message: `${from} may not import ${to} (${target}): ${WHY}` });
    });
  },
};

const noTestSupportInProduct = {
  meta: { type: 'problem', schema: [], docs: { description: 'product code never imports tests, harnesses, contract suites or fixtures' } },
  create(context) {
    const self = path.relative(context.cwd ?? process.cwd(), context.filename);
    if (isTestSupport(self) || !self.startsWith('src')) return {};
    return importVisitors((source) => {
      const target = resolve(context, String(source.value));
      if (target && isTestSupport(target)) {
        context.report({ node: source, message: `product code may not import test support (${target}): it would ship in dist/` });
      }
    });
  },
};


/** Components whose sub-folders must not import each other in a cycle (src/agent/pods -> status -> pods). */
export const ACYCLIC_SUBFOLDERS = ['agent'];

/** `src/agent/pods/x.ts` -> `agent/pods`; undefined for a file at the component's root or elsewhere. */
export function subfolderOf(rel) {
  const parts = rel.split(path.sep).join('/').split('/');
  if (parts[0] !== 'src' || parts.length < 4 || !ACYCLIC_SUBFOLDERS.includes(parts[1])) return undefined;
  return `${parts[1]}/${parts[2]}`;
}

const IMPORT_RE = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
const graphs = new Map();

/** Sub-folder import graph of the product code on disk (tests and harnesses left out), built once per lint run. */
function subfolderGraph(cwd) {
  let g = graphs.get(cwd);
  if (g) return g;
  g = new Map();
  for (const comp of ACYCLIC_SUBFOLDERS) {
    const dir = path.join(cwd, 'src', comp);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir, { recursive: true })) {
      const rel = path.join('src', comp, String(f));
      if (!/\.[mc]?[jt]s$/.test(rel) || isTestSupport(rel)) continue;
      const from = subfolderOf(rel);
      if (!from) continue;
      const text = fs.readFileSync(path.join(cwd, rel), 'utf8');
      for (const m of text.matchAll(IMPORT_RE)) {
        const to = subfolderOf(path.relative(cwd, path.resolve(path.dirname(path.join(cwd, rel)), m[1] ?? m[2])));
        if (!to || to === from) continue;
        if (!g.has(from)) g.set(from, new Set());
        g.get(from).add(to);
      }
    }
  }
  graphs.set(cwd, g);
  return g;
}

/** A path of sub-folders from `from` to `to` in `g`, or undefined. */
function pathBetween(g, from, to) {
  const prev = new Map([[from, undefined]]);
  const queue = [from];
  while (queue.length) {
    const at = queue.shift();
    if (at === to) {
      const out = [];
      for (let n = at; n !== undefined; n = prev.get(n)) out.unshift(n);
      return out;
    }
    for (const next of g.get(at) ?? []) {
      if (prev.has(next)) continue;
      prev.set(next, at);
      queue.push(next);
    }
  }
  return undefined;
}

const noSubfolderCycles = {
  meta: { type: 'problem', schema: [], docs: { description: 'sub-folders of the agent do not import each other in a cycle' } },
  create(context) {
    const cwd = context.cwd ?? process.cwd();
    const self = path.relative(cwd, context.filename);
    const from = subfolderOf(self);
    if (!from || isTestSupport(self)) return {};
    return importVisitors((source) => {
      const target = resolve(context, String(source.value));
      const to = target && subfolderOf(target);
      if (!to || to === from || isTestSupport(target)) return;
      const back = pathBetween(subfolderGraph(cwd), to, from);
      if (!back) return;
      context.report({ node: source, message: `import cycle between sub-folders: ${[from, ...back].join(' -> ')}; move what both need to where both depend on it` });
    });
  },
};

export default { rules: { 'component-boundaries': componentBoundaries, 'no-test-support-in-product': noTestSupportInProduct, 'no-subfolder-cycles': noSubfolderCycles } };
