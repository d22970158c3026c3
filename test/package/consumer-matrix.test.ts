// The documented imports, compiled by TypeScript in every module setup a consumer may use, against the packed
// tarball, then run with node. Each row type-checks a correct provider per import style and a wrong one that must be
// rejected with specific errors (so the types are real, not `any`). Rows keep skipLibCheck on, as most projects do
// (declarations.test.ts checks the published declarations themselves with it off); lib is es2022 without DOM.
import { join } from 'node:path'
import { createProject, runNode, strictNodeUser } from './helpers/consumer-project'
import { compileProject, type CompileResult } from './helpers/typescript'

// The first file to run packs and installs the package; a loaded machine makes that slow, not wrong.
jest.setTimeout(120_000)

interface Row {
  name: string
  packageType: 'commonjs' | 'module'
  options: Record<string, unknown>
  fixture: 'esm' | 'esm-verbatim' | 'cjs-verbatim'
}

const esmStyles = ['import-type', 'inline-type', 'plain']
const verbatim = { verbatimModuleSyntax: true }

const rows: Row[] = [
  {
    name: 'node10-cjs',
    packageType: 'commonjs',
    fixture: 'esm',
    options: { module: 'commonjs', moduleResolution: 'node10', esModuleInterop: true },
  },
  { name: 'node16-cjs', packageType: 'commonjs', fixture: 'esm', options: { module: 'node16' } },
  { name: 'node16-esm', packageType: 'module', fixture: 'esm', options: { module: 'node16' } },
  { name: 'nodenext-cjs', packageType: 'commonjs', fixture: 'esm', options: { module: 'nodenext' } },
  { name: 'nodenext-esm', packageType: 'module', fixture: 'esm', options: { module: 'nodenext' } },
  {
    name: 'bundler-esnext',
    packageType: 'module',
    fixture: 'esm',
    options: { module: 'esnext', moduleResolution: 'bundler' },
  },
  { name: 'bundler-preserve', packageType: 'module', fixture: 'esm', options: { module: 'preserve' } },
  {
    name: 'node10-cjs-verbatim',
    packageType: 'commonjs',
    fixture: 'cjs-verbatim',
    options: { module: 'commonjs', moduleResolution: 'node10', ...verbatim },
  },
  {
    name: 'node16-cjs-verbatim',
    packageType: 'commonjs',
    fixture: 'cjs-verbatim',
    options: { module: 'node16', ...verbatim },
  },
  {
    name: 'nodenext-cjs-verbatim',
    packageType: 'commonjs',
    fixture: 'cjs-verbatim',
    options: { module: 'nodenext', ...verbatim },
  },
  {
    name: 'node16-esm-verbatim',
    packageType: 'module',
    fixture: 'esm-verbatim',
    options: { module: 'node16', ...verbatim },
  },
  {
    name: 'nodenext-esm-verbatim',
    packageType: 'module',
    fixture: 'esm-verbatim',
    options: { module: 'nodenext', ...verbatim },
  },
  {
    name: 'bundler-esnext-verbatim',
    packageType: 'module',
    fixture: 'esm-verbatim',
    options: { module: 'esnext', moduleResolution: 'bundler', ...verbatim },
  },
  {
    name: 'bundler-preserve-verbatim',
    packageType: 'module',
    fixture: 'esm-verbatim',
    options: { module: 'preserve', ...verbatim },
  },
]

function filesOf(fixture: Row['fixture']): string[] {
  const esm = 'consumer/esm/'
  switch (fixture) {
    case 'esm':
      return [
        `${esm}app.ts`,
        `${esm}exercise.ts`,
        `${esm}provider-import-type.ts`,
        `${esm}provider-inline-type.ts`,
        `${esm}provider-plain.ts`,
        `${esm}wrong-provider.ts`,
      ]
    case 'esm-verbatim':
      return [
        'consumer/esm-verbatim/app.ts',
        `${esm}exercise.ts`,
        `${esm}provider-import-type.ts`,
        `${esm}provider-inline-type.ts`,
        `${esm}wrong-provider.ts`,
      ]
    case 'cjs-verbatim':
      return [
        'consumer/cjs-verbatim/app.ts',
        'consumer/cjs-verbatim/provider.ts',
        'consumer/cjs-verbatim/wrong-provider.ts',
      ]
  }
}

function expectedProviders(fixture: Row['fixture']): string[] {
  const styles = fixture === 'esm' ? esmStyles : fixture === 'esm-verbatim' ? esmStyles.slice(0, 2) : ['import-type']
  // Each provider wants a fetch until it received definitions; a client then evaluates a flag from its cache.
  return styles.map((style) => `${style}:true:false:beta=true`)
}

describe.each(rows)('consumer $name', (row) => {
  let dir: string
  let compiled: CompileResult

  beforeAll(() => {
    dir = createProject({
      name: row.name,
      packageType: row.packageType,
      compilerOptions: { ...strictNodeUser, skipLibCheck: true, ...row.options },
      files: filesOf(row.fixture),
    })
    compiled = compileProject(dir)
  })

  it('type-checks every import style and provider, and rejects only the wrong provider, for the right reasons', () => {
    const outsideWrongProvider = compiled.diagnostics.filter((d) => d.file !== 'wrong-provider.ts')
    expect(outsideWrongProvider).toEqual([])
    const wrong = compiled.diagnostics.map((d) => ({ code: d.code, line: d.line, first: d.message.split('\n')[0] }))
    expect(wrong).toEqual([
      {
        code: 2416,
        line: expect.any(Number),
        first:
          "Property 'shouldFetchFlagDefinitions' in type 'WrongCache' is not assignable to the same property in base type 'FlagDefinitionCacheProvider'.",
      },
      {
        code: 2339,
        line: expect.any(Number),
        first: "Property 'groupTypes' does not exist on type 'FlagDefinitionCacheData'.",
      },
    ])
  })

  it('runs the compiled output with node: PostHog constructs and shuts down, providers work', async () => {
    const result = await runNode(dir, [join('out', 'app.js')])
    expect(result.stderr).toBe('')
    expect(JSON.parse(result.stdout)).toEqual({ client: 'PostHog', providers: expectedProviders(row.fixture) })
  })
})
