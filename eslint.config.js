// Lint: TypeScript rules plus the layering of the tree (docs/architecture.md):
//   api            -> nothing of ours (pure types, schemas, codecs)
//   store          -> api only
//   apiserver      -> api, store (the only user of store and of its own internals)
//   client         -> api
//   controller-runtime, controllers, scheduler, agent, proxy, dns -> api, client, controller-runtime
//   cli, server assembly, testing -> anything
import tseslint from 'typescript-eslint';

const layer = (files, forbidden, why) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [{ group: forbidden, message: why }],
    }],
  },
});

const components = ['**/store/**', '**/apiserver/**'];
const notThroughApi = 'components talk to each other only through the API: use src/client';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '**/*.test.ts', 'bench/**', 'test/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      // The schema DSL uses `{}` as "an object with no declared properties" in type parameters.
      '@typescript-eslint/no-empty-object-type': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  layer(['src/api/**'], ['**/store/**', '**/apiserver/**', '**/client/**', '**/controller-runtime/**', '**/controllers/**', '**/scheduler/**', '**/agent/**', '**/proxy/**', '**/dns/**', '**/cli/**'], 'src/api is the bottom layer: pure types and codecs'),
  layer(['src/store/**'], ['**/apiserver/**', '**/client/**', '**/controller-runtime/**', '**/controllers/**', '**/scheduler/**', '**/agent/**', '**/cli/**'], 'the store knows nothing above it'),
  layer(['src/client/**'], [...components, '**/controller-runtime/**', '**/controllers/**', '**/scheduler/**', '**/agent/**'], 'the client is a leaf above src/api'),
  layer(['src/controller-runtime/**', 'src/controllers/**', 'src/scheduler/**', 'src/agent/**', 'src/proxy/**', 'src/dns/**', 'src/simulated-nodes/**'], components, notThroughApi),
);
