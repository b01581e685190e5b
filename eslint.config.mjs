// Type-checked lint with the import boundaries of the architecture (docs/architecture.md):
// model ← shared ← dify ← server/* and host/*; model ← shared ← webview. The server never
// imports vscode; the webview never imports vscode or node:*; model, shared and dify import neither.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = { group: ['node:*'], message: 'This layer runs in every process: no Node built-ins.' };
const vscodeApi = { name: 'vscode', message: 'Only the extension host (src/host, src/extension.ts) may import vscode.' };
const layer = (files, patterns, paths = [vscodeApi]) => ({ files, rules: { 'no-restricted-imports': ['error', { paths, patterns }] } });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/server/receiver/gen/**', 'test-results/**', 'bench/results/**', 'scripts/**/*.mjs', 'eslint.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-namespace': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  layer(['src/model/**/*.ts'], [nodeBuiltins, { group: ['**/shared/*', '**/dify/*', '**/server/*', '**/host/*', '**/webview/*'], message: 'model depends on nothing.' }]),
  layer(['src/shared/**/*.ts'], [nodeBuiltins, { group: ['**/dify/*', '**/server/**', '**/host/**', '**/webview/**'], message: 'shared depends only on model.' }]),
  layer(['src/dify/**/*.ts'], [nodeBuiltins, { group: ['**/server/**', '**/host/**', '**/webview/**'], message: 'dify depends only on model and shared.' }]),
  layer(['src/server/**/*.ts'], [{ group: ['**/host/**', '**/webview/**', '**/extension'], message: 'The trace server never reaches into the host or the webview.' }]),
  layer(['src/host/**/*.ts'], [{ group: ['**/server/**', '**/webview/**'], message: 'The host talks to the server only through src/shared/lspProtocol.ts.' }], []),
  layer(['webview/src/**/*.ts'], [nodeBuiltins, { group: ['**/dify/*', '**/server/**', '**/host/**', 'vscode-languageserver*'], message: 'The webview sees only model and shared.' }]),
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-console': 'off',
      // node:test's describe/it return promises that the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'before', 'after'] }] }],
    },
  },
);
