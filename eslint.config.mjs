import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

/** Node built-ins and I/O clients: workflow code must stay deterministic and sandbox-safe. */
const workflowForbidden = [
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  'mongodb',
  'twilio',
  'openai',
  'express',
  'pino',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/', 'jest.config.js', 'eslint.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      // The bench worker's preload is plain JavaScript (bench/lib/loop-delay.mjs), outside tsconfig.
      parserOptions: { projectService: { allowDefaultProject: ['bench/lib/loop-delay.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportAllDeclaration', message: 'Use named exports, not export *.' }],
    },
  },
  {
    files: ['workflows/**/*.ts', 'src/workflow-api/**/*.ts', 'src/templating.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: workflowForbidden.map((name) => ({ name, message: 'Workflow code does no I/O: move this to an activity.' })),
          patterns: [{ group: ['**/activities', '**/activities/*'], allowTypeImports: true, message: 'Import activities as types only (proxyActivities).' }],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Workflows get values through their input, never from the environment.' },
        { name: 'setTimeout', message: 'Use sleep() or condition() from @temporalio/workflow.' },
        { name: 'fetch', message: 'Workflow code does no I/O: move this to an activity.' },
      ],
    },
  },
  {
    // web/: plain ES modules for browsers (and Node, for agent-client.js), outside the TypeScript project.
    files: ['web/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      sourceType: 'module',
      parserOptions: { projectService: false },
      globals: Object.fromEntries(
        ['window', 'document', 'location', 'navigator', 'console', 'URL', 'URLSearchParams', 'WebSocket', 'AudioContext', 'AudioWorkletNode',
          'MediaStream', 'Blob', 'fetch', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'atob', 'btoa', 'TextEncoder',
          'TextDecoder', 'sessionStorage', 'performance', 'registerProcessor', 'AudioWorkletProcessor', 'sampleRate', 'globalThis']
          .map((g) => [g, 'readonly']),
      ),
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
