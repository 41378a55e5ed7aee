/**
 * `npm run lint` guards the tree's layering and the promises tests forget: each case lints a small
 * source text as if it lived at a path of the tree, with the project's own eslint.config.js.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const root = path.resolve(import.meta.dirname, '../..');
// Type-aware rules need the file in a TypeScript program; these texts exist only in memory, so
// they get typescript-eslint's default project instead of tsconfig.test.json.
const eslint = new ESLint({
  cwd: root,
  overrideConfig: [{ languageOptions: { parserOptions: { project: null, projectService: { allowDefaultProject: ['src/*/*.ts', 'src/*/*/*.ts', 'test/*/*.ts'], defaultProject: 'tsconfig.test.json' } } } }],
});

async function problems(text: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(text, { filePath: path.join(root, filePath) });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('lint: component boundaries', () => {
  const cases: { name: string; file: string; text: string; rule?: string }[] = [
    { name: 'a controller importing a sibling controller', file: 'src/controllers/deployment/lint-case.ts', text: "import { addReplicaSetController } from '../replicaset/replicaset-controller.js';\nexport const x = addReplicaSetController;\n", rule: 'layers/component-boundaries' },
    { name: 'the agent importing the API server', file: 'src/agent/pods/lint-case.ts', text: "import type { ResourceStorage } from '../../apiserver/storage/types.js';\nexport type X = ResourceStorage;\n", rule: 'layers/component-boundaries' },
    { name: 'src/api importing the client', file: 'src/api/lint-case.ts', text: "import { isNotFound } from '../client/errors.js';\nexport const x = isNotFound;\n", rule: 'layers/component-boundaries' },
    { name: 'product code importing a test harness', file: 'src/cluster/lint-case.ts', text: "import { startTestServer } from '../testing/test-cluster.js';\nexport const x = startTestServer;\n", rule: 'layers/no-test-support-in-product' },
    { name: 'product code importing a contract suite', file: 'src/cli/lint-case.ts', text: "import * as c from '../store/store-contract.js';\nexport const x = c;\n", rule: 'layers/no-test-support-in-product' },
    { name: 'a controller using controller-runtime and the API (allowed)', file: 'src/controllers/deployment/lint-case.ts', text: "import { controllerOf } from '../../controller-runtime/workload/controller-ref.js';\nimport type { KubeObject } from '../../api/meta.js';\nexport const f = (o: KubeObject) => controllerOf(o);\n" },
    { name: 'agent/status importing agent/pods, which imports agent/status (a cycle)', file: 'src/agent/status/lint-case.ts', text: "import type { AgentDeps } from '../pods/context.js';\nexport type X = AgentDeps;\n", rule: 'layers/no-subfolder-cycles' },
    { name: 'agent/pods importing agent/status, which does not import agent/pods (allowed)', file: 'src/agent/pods/lint-case.ts', text: "import { computePodStatus } from '../status/compute-status.js';\nexport const x = computePodStatus;\n" },
    { name: 'a test importing a harness (allowed)', file: 'src/agent/lint-case.test.ts', text: "import { startTestServer } from '../testing/test-cluster.js';\nexport const x = startTestServer;\n" },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const got = await problems(c.text, c.file);
      if (c.rule) assert.ok(got.some((m) => m.startsWith(`${c.rule}:`)), `expected ${c.rule}, got ${JSON.stringify(got)}`);
      else assert.deepEqual(got, []);
    });
  }
});

describe('lint: promises in tests', () => {
  it('flags a floating promise in a test file', async () => {
    const text = "import { it } from 'node:test';\nasync function work(): Promise<void> {}\nit('x', async () => {\n  work();\n});\n";
    const got = await problems(text, 'test/e2e/lint-case.test.ts');
    assert.ok(got.some((m) => m.startsWith('@typescript-eslint/no-floating-promises:')), JSON.stringify(got));
  });
  it('flags a promise passed where a callback returns void', async () => {
    const text = "import { it } from 'node:test';\nit('x', () => {\n  [1, 2].forEach(async () => {});\n  const ok: boolean = [1].some(async () => true);\n  void ok;\n});\n";
    const got = await problems(text, 'test/e2e/lint-case.test.ts');
    assert.ok(got.some((m) => m.startsWith('@typescript-eslint/no-misused-promises:')), JSON.stringify(got));
  });
  it('lets node:test calls float, as they are meant to', async () => {
    const text = "import { describe, it } from 'node:test';\ndescribe('d', () => {\n  it('x', async () => {\n    await Promise.resolve();\n  });\n});\n";
    assert.deepEqual(await problems(text, 'test/e2e/lint-case.test.ts'), []);
  });
});
