// Lint: typescript-eslint's recommended set plus the layering rule that keeps the pure engine free of I/O.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**'] },
  ...tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The analysis core is pure: no node:* modules, no adapters (style practice 6).
    files: ['src/xml/**', 'src/regex/**', 'src/predecode/**', 'src/decode/**', 'src/rules/**', 'src/correlate/**', 'src/lists/**', 'src/decide/**', 'src/schedule/**', 'src/replay/timestamp.ts', 'src/replay/report.ts'],
    ignores: ['**/*.test.ts', '**/load-*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*'], message: 'The analysis core is pure: do I/O in an adapter.' }] }],
    },
  },
);
