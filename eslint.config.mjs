import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import boundaries from 'eslint-plugin-boundaries';

/**
 * The layers of src/ and what each may import besides itself (README "Layout"); anything else is
 * refused. `types`: imported for their types only (workflows name their activities' signatures).
 */
const layers = {
  domain: { files: 'src/domain/**', imports: [] },
  config: { files: 'src/config.ts', imports: ['domain'] },
  logger: { files: 'src/logger.ts', imports: ['config'] },
  metrics: { files: 'src/metrics.ts', imports: [] },
  lifecycle: { files: 'src/lifecycle.ts', imports: ['config'] },
  threads: { files: 'src/threads.ts', imports: [] },
  db: { files: 'src/db/**', imports: ['domain', 'config', 'threads'] },
  client: { files: 'src/client/**', imports: ['domain'] },
  workflows: { files: 'src/workflows/**', imports: ['domain'], types: ['activities'] },
  activities: { files: 'src/activities/**', imports: ['domain', 'config', 'logger', 'metrics', 'db', 'client'] },
  http: { files: 'src/http/**', imports: ['metrics'] },
  api: { files: 'src/api/**', imports: ['domain', 'config', 'logger', 'metrics', 'lifecycle', 'threads', 'db', 'client', 'http'] },
  worker: { files: 'src/worker/**', imports: ['domain', 'config', 'logger', 'metrics', 'lifecycle', 'db', 'client', 'activities', 'http'] },
  dev: { files: 'src/dev/**', imports: ['domain', 'config', 'lifecycle'] },
  main: { files: 'src/main.ts', imports: ['config', 'logger', 'metrics', 'lifecycle', 'db', 'http', 'api', 'worker', 'dev'] },
  ui: { files: 'src/ui/**', imports: [] },
};

/** Modules workflow code must not load: Node built-ins and I/O. */
const nodeOnly = ['node:*', 'fs', 'http', 'https', 'crypto', 'net', 'dns', 'knex', 'pg', 'undici'];

/** The src/domain files workflows may load (the others sign, hash or parse keys with Node built-ins). */
const sandboxSafeDomain = ['deliveries', 'workflow-ids', 'workflow-definitions', 'workflow-metadata'];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', require: 'readonly', module: 'writable', fetch: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      'no-console': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { node: { extensions: ['.ts', '.js'] } },
      // Each file's layer is its category (boundaries' elements are folders; some layers are one file).
      'boundaries/files': Object.entries(layers).map(([layer, { files }]) => ({ category: layer, pattern: files })),
    },
    rules: {
      'boundaries/no-unknown-files': 'error',
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          checkUnknownLocals: true,
          message: 'src/{{from.file.categories}} may not import {{dependency.source}} ({{#if to.file.categories}}src/{{to.file.categories}}{{else}}outside the layers{{/if}}): the layers run one way, see README "Layout"',
          policies: Object.entries(layers).flatMap(([layer, { imports, types = [] }]) => [
            { from: { file: { categories: layer } }, allow: { to: { file: { categories: [layer, ...imports] } } } },
            ...(types.length > 0 ? [{ from: { file: { categories: layer } }, allow: { to: { file: { categories: types } }, dependency: { kind: 'type' } } }] : []),
          ]),
        },
      ],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O, no clocks of its own.
    files: ['src/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...nodeOnly, '../db', '../db/*', '../activities', '../activities/*'],
              allowTypeImports: true,
              message: 'Workflows must stay deterministic: do I/O in an activity and import activities as types only.',
            },
            {
              group: ['../domain/*', ...sandboxSafeDomain.map((name) => `!../domain/${name}`)],
              allowTypeImports: true,
              message: `Workflows load only the domain files safe in their sandbox (${sandboxSafeDomain.join(', ')}); the others use Node built-ins.`,
            },
          ],
        },
      ],
    },
  },
  {
    // The domain files workflows load run in their sandbox too.
    files: sandboxSafeDomain.map((name) => `src/domain/${name}.ts`),
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...nodeOnly, './*', ...sandboxSafeDomain.map((name) => `!./${name}`)],
              allowTypeImports: true,
              message: `Workflows load this file: no Node built-ins or I/O here, and of the domain only ${sandboxSafeDomain.join(', ')}.`,
            },
          ],
        },
      ],
    },
  },
);
