import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [
      'node_modules/**',
      '.next/**',
      '.data/**',
      'lib/generated/**',
      'test-results/**',
      'e2e/artifacts/**',
      'next-env.d.ts',
      'scripts/tmp/**',
    ],
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Type-aware rules: a promise nobody awaits loses its error; one passed where a callback returns void
    // runs unordered. Form actions given to JSX attributes are the exception React handles.
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
    },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Functions stay readable: over about 150 lines, split them (tests are exempt: a scenario reads top to bottom).
      'max-lines-per-function': ['warn', { max: 150, skipBlankLines: true, skipComments: true, IIFEs: true }],
    },
  },
  {
    // Tests and test tooling read top to bottom: a scenario, a fake upstream.
    files: [
      '**/*.test.ts',
      'e2e/**',
      'test/**',
      'scripts/lib/fake-*.ts',
      'scripts/bench.ts',
      'scripts/soak.ts',
    ],
    rules: { 'max-lines-per-function': 'off' },
  },
];

export default config;
