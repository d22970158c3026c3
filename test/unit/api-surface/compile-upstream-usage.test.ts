// Code written against upstream 5.13.2's entire public API must compile against our sources unchanged.
// (Every runtime, edge included, gets the node declarations through the `types` condition, so one compile covers
// both entries.) The same fixture is first compiled against upstream's own declarations, so a wrong fixture cannot pass silently.
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import ts from 'typescript'

const root = resolve(__dirname, '../../..')
const fixturePath = join(__dirname, 'fixtures', 'upstream-usage.ts.txt')
const upstreamDist = join(dirname(require.resolve('posthog-node-upstream')), '..')

/** Compiles the fixture with 'posthog-node' (and '/experimental') mapped to the given files; returns diagnostics. */
function compileFixture(main: string, experimental: string): string[] {
  const virtualFile = join(__dirname, 'fixtures', '__upstream-usage.ts')
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    types: ['node'],
    typeRoots: [join(root, 'node_modules', '@types')],
    baseUrl: root,
    paths: { 'posthog-node': [main], 'posthog-node/experimental': [experimental] },
  }
  const host = ts.createCompilerHost(options)
  const source = readFileSync(fixturePath, 'utf8')
  const originalGetSourceFile = host.getSourceFile.bind(host)
  host.getSourceFile = (fileName, languageVersion, ...rest) =>
    resolve(fileName) === virtualFile
      ? ts.createSourceFile(fileName, source, languageVersion, true)
      : originalGetSourceFile(fileName, languageVersion, ...rest)
  const originalFileExists = host.fileExists.bind(host)
  host.fileExists = (fileName) => resolve(fileName) === virtualFile || originalFileExists(fileName)
  const program = ts.createProgram([virtualFile], options, host)
  return ts
    .getPreEmitDiagnostics(program)
    .filter((diagnostic) => diagnostic.file === undefined || resolve(diagnostic.file.fileName) === virtualFile)
    .map((diagnostic) => {
      const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')
      const line = diagnostic.file?.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line
      return line === undefined ? text : `line ${line + 1}: ${text}`
    })
}

describe('upstream 5.13.2 user code compiles against our types', () => {
  test('the fixture compiles against upstream declarations (sanity check of the fixture)', () => {
    expect(
      compileFixture(join(upstreamDist, 'entrypoints', 'index.node.d.ts'), join(upstreamDist, 'experimental.d.ts'))
    ).toEqual([])
  }, 60000)

  test('the fixture compiles against our sources', () => {
    expect(
      compileFixture(join(root, 'src', 'entrypoints', 'index.node.ts'), join(root, 'src', 'experimental', 'index.ts'))
    ).toEqual([])
  }, 60000)
})
