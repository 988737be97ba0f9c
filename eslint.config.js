// ESLint flat config. Correctness only: layout is prettier's job (eslint-config-prettier is last).
// Rules are syntactic (no type information) so `npm run lint` stays fast; `npm run typecheck`
// covers what the type checker already proves.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import pluginVue from 'eslint-plugin-vue';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['**/node_modules/', 'dist/', 'release/', '.tmp/', 'bench/results/', 'test-results/', 'coverage/', 'resources/sample/'], 'polyhead/ignores'),
  {
    name: 'polyhead/linter-options',
    linterOptions: { reportUnusedDisableDirectives: 'error', reportUnusedInlineConfigs: 'error' },
  },

  js.configs.recommended,
  tseslint.configs.recommended,
  pluginVue.configs['flat/recommended'],

  {
    name: 'polyhead/language',
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
  },
  {
    name: 'polyhead/vue-typescript',
    files: ['**/*.vue'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' },
    },
  },

  // Globals per runtime. `shared/` runs in both Node and the renderer.
  {
    name: 'polyhead/globals-node',
    files: ['electron/**', 'bench/**', 'scripts/**', 'bin/**', 'tests/**', '*.config.{js,ts}', 'renderer/vite.config.ts'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    name: 'polyhead/globals-browser',
    files: ['renderer/**'],
    ignores: ['renderer/vite.config.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Renderer component tests run under jsdom; e2e tests pass callbacks to page.evaluate().
    name: 'polyhead/globals-tests-browser',
    files: ['tests/renderer/**', 'tests/e2e/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    name: 'polyhead/globals-shared',
    files: ['shared/**'],
    languageOptions: { globals: { ...globals['shared-node-browser'] } },
  },

  {
    name: 'polyhead/rules',
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // The code base compiles with noUncheckedIndexedAccess, so `xs[i]!` after a bounds check is the idiom.
      '@typescript-eslint/no-non-null-assertion': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': ['error', { destructuring: 'all' }],
      'object-shorthand': ['error', 'properties'],
      'no-useless-rename': 'error',
      'no-useless-computed-key': 'error',
      'no-useless-concat': 'error',
      'no-lonely-if': 'error',
      'no-throw-literal': 'error',
      'no-self-compare': 'error',
      'no-template-curly-in-string': 'error',
      'no-unmodified-loop-condition': 'error',
      'no-unreachable-loop': 'error',
      'no-constructor-return': 'error',
      radix: 'error',
      '@typescript-eslint/no-shadow': 'error',
      '@typescript-eslint/no-import-type-side-effects': 'error',
    },
  },
  {
    // vue-tsc type-checks templates and <script setup>; ESLint's scope analysis does not know
    // compiler macros' types or DOM lib types there (typescript-eslint's advice for TS files).
    name: 'polyhead/vue-no-undef',
    files: ['**/*.vue'],
    rules: { 'no-undef': 'off' },
  },

  {
    // Component tests mount small harness components next to each other on purpose.
    name: 'polyhead/tests-vue',
    files: ['tests/**'],
    rules: { 'vue/one-component-per-file': 'off' },
  },

  // Last: turn off every stylistic rule that would fight prettier.
  prettier,
);
