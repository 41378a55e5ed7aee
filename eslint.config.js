// Lint: TypeScript rules plus the layering of the tree (docs/architecture.md, "Folders"), checked by
// scripts/lint/layers.mjs:
//   api            -> nothing of ours (pure types, schemas, codecs)
//   store          -> api only
//   apiserver      -> api, store (the only user of store and of its own internals)
//   client         -> api
//   controller-runtime -> api, client
//   each controllers/<name>, scheduler, agent, proxy, dns, simulated-nodes -> api, client, controller-runtime
//   cluster, cli (composition roots), testing -> anything
// and product code never imports tests, harnesses, contract suites or fixtures; sub-folders of the
// agent (pods, status, volumes, ...) never import each other in a cycle.
// Tests, e2e tests and benchmarks are linted too, with type-aware rules for promises nobody awaits.
import tseslint from 'typescript-eslint';
import layers from './scripts/lint/layers.mjs';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '**/testdata/**', '.test-images/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname } },
    plugins: { layers },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      // The schema DSL uses `{}` as "an object with no declared properties" in type parameters.
      '@typescript-eslint/no-empty-object-type': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'layers/component-boundaries': 'error',
      'layers/no-test-support-in-product': 'error',
      'layers/no-subfolder-cycles': 'error',
      // A promise nobody awaits hides its failure (a test then passes whatever happened).
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
      }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
    },
  },
  // The agent's protobuf goes through its own codec (src/agent/grpc/proto-codec.ts): protobufjs's
  // reflection and generated code held ~1.5 MiB of the idle agent's V8 heap (docs/architecture.md).
  {
    files: ['src/agent/**/*.ts'],
    ignores: ['src/agent/**/*.test.ts', 'src/agent/**/testing/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'protobufjs', message: 'the agent encodes protobuf with src/agent/grpc/proto-codec.ts (memory of bosun agent, docs/architecture.md)' }] }] },
  },
  // The web console's browser code has its own project (DOM types, no node).
  { files: ['console/src/**/*.ts'], languageOptions: { parserOptions: { project: './console/tsconfig.json', tsconfigRootDir: import.meta.dirname } } },
);
