import js from '@eslint/js'
import tseslint from 'typescript-eslint'

// The package must never load ioredis, pg or the AWS SDK itself (providers receive the user's client), nor the oracle packages.
const forbiddenPackages = [
  { name: 'ioredis', allowTypeImports: true, message: 'Use `import type`: ioredis is never loaded at runtime.' },
  { name: 'pg', allowTypeImports: true, message: 'Use `import type`: pg is never loaded at runtime.' },
  { name: 'posthog-node-upstream', message: 'The upstream oracle is for tests only.' },
  { name: 'posthog-node-latest', message: 'The upstream oracle is for tests only.' },
]
const forbiddenPatterns = [
  {
    group: ['@aws-sdk/*'],
    allowTypeImports: true,
    message: 'Use `import type`: the AWS SDK is never loaded at runtime (the user passes the command classes).',
  },
]

// The "may import" column of src/ARCHITECTURE.md: the folders of src/ each folder may import from. A folder missing
// here (a new one) may import nothing of src/ and nothing may import it until it is added, here and in the table.
const everything = Symbol('everything')
const layers = {
  contracts: [],
  shared: [],
  definitions: ['contracts', 'shared'],
  evaluation: ['definitions', 'contracts', 'shared'],
  polling: ['definitions', 'evaluation', 'contracts', 'shared'],
  experimental: ['definitions', 'contracts', 'shared'],
  'error-tracking': ['contracts', 'shared'],
  integrations: ['error-tracking', 'contracts', 'shared'],
  client: ['definitions', 'evaluation', 'polling', 'error-tracking', 'contracts', 'shared'],
  entrypoints: everything,
}

/**
 * One `no-restricted-imports` entry per folder of src/ and per depth below it: from `src/<folder>/<d dirs>/x.ts`, an
 * import that climbs to src/ (`../` d+1 times) and names a folder outside the allowed ones is an error. Relative
 * imports that stay inside the folder are untouched.
 */
function layerRules() {
  const configs = [
    {
      files: ['src/**/*.ts'],
      rules: { 'no-restricted-imports': ['error', { paths: forbiddenPackages, patterns: forbiddenPatterns }] },
    },
  ]
  for (const [folder, allowed] of Object.entries(layers)) {
    if (allowed === everything) continue
    const names = [folder, ...allowed]
    const message =
      allowed.length === 0
        ? `src/${folder}/ imports nothing else of src/ (the table in src/ARCHITECTURE.md).`
        : `src/${folder}/ may import only ${allowed.map((name) => `${name}/`).join(', ')} of src/ (the table in src/ARCHITECTURE.md).`
    for (let depth = 0; depth < 4; depth++) {
      const up = `(?:\\.\\./){${depth + 1}}`
      configs.push({
        files: [`src/${folder}/${'*/'.repeat(depth)}*.ts`],
        rules: {
          'no-restricted-imports': [
            'error',
            {
              paths: forbiddenPackages,
              patterns: [
                ...forbiddenPatterns,
                // A folder of src/ not in the list, or a climb out of src/ altogether.
                { regex: `^${up}(?!(?:${names.join('|')})(?:/|$))`, message },
              ],
            },
          ],
        },
      })
    }
  }
  return configs
}

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'build', 'coverage', 'test/package/.work', 'etc'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  ...layerRules(),
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        performance: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**', 'examples/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  }
)
