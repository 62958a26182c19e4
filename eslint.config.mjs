// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import localised from './scripts/lint/l10n-rule.js';

export default tseslint.config(
  // test/fixtures/sam-hello is a public example project, kept as its authors wrote it.
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.cache/**', 'webpack.config.js', 'test/fixtures/sam-*/**', 'test/fixtures/sam/esbuild-ts/**', 'test/fixtures/sam/node-missing-dep/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
      curly: ['error', 'multi-line'],
      'no-restricted-imports': ['error', { paths: [] }]
    }
  },
  {
    // core and the sandbox are vscode-free: they run in plain Node (CLI, tests) as well.
    files: ['src/core/**/*.ts', 'src/sandbox/**/*.ts', 'src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core, src/sandbox and src/shared must not depend on vscode.' }] }]
    }
  },
  {
    // The extension is an adapter: AWS calls are core use cases, so it may name SDK types only.
    files: ['src/extension/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@aws-sdk/*'], allowTypeImports: true, message: 'src/extension calls AWS through src/core; import SDK types only.' }] }]
    }
  },
  {
    // Every user-visible string of the extension is localised (l10n.t); scripts/lint/l10n-rule.js says where it looks.
    files: ['src/extension/**/*.ts'],
    plugins: { 'lambda-canary': { rules: { localised } } },
    rules: { 'lambda-canary/localised': 'error' },
  },
  {
    // The panel's page renders what the host sends: verdicts and AWS calls are the host's (core).
    files: ['src/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/core/verdict', '**/core/usecases', '**/core/usecases/*', '**/core/traffic', '@aws-sdk/*'], message: 'src/webview computes no verdicts and calls nothing: the host sends the results.' },
          ],
        },
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', fetch: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', AbortSignal: 'readonly' } },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', exports: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' } }
  },
  {
    // The demo shop's Lambda handlers: CommonJS for Node.js 20, Node's built-ins required as Lambda loads them.
    files: ['test/fixtures/release-demo/**/*.js'],
    languageOptions: { globals: { setTimeout: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  }
);
