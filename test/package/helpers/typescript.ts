// Compiles consumer projects in-process with the repository's TypeScript. Library files (lib.*.d.ts, @types/node,
// the installed package) are parsed once and shared between programs, which keeps a matrix of setups fast.
import { dirname, relative } from 'node:path'
import ts from 'typescript'

export interface Diagnostic {
  /** Path relative to the project folder, or '' for global diagnostics. */
  file: string
  line: number
  code: number
  message: string
}

export interface CompileResult {
  diagnostics: Diagnostic[]
  /** Diagnostics rendered one a line, for readable test failures. */
  text: string
}

const sourceFiles = new Map<string, ts.SourceFile>()

function cachingHost(options: ts.CompilerOptions): ts.CompilerHost {
  const libDir = dirname(ts.getDefaultLibFilePath(options))
  const host = ts.createCompilerHost(options, true)
  const getSourceFile = host.getSourceFile.bind(host)
  host.getSourceFile = (fileName, languageVersionOrOptions, onError, shouldCreate) => {
    // Only files that never change during a run are shared; the consumer's own sources are parsed fresh.
    const shareable = fileName.includes('/node_modules/') || fileName.startsWith(libDir)
    if (!shareable) return getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreate)
    const version =
      typeof languageVersionOrOptions === 'object'
        ? `${languageVersionOrOptions.languageVersion}:${languageVersionOrOptions.impliedNodeFormat}`
        : String(languageVersionOrOptions)
    const key = `${fileName}|${version}`
    let file = sourceFiles.get(key)
    if (!file) {
      file = getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreate)
      if (file) sourceFiles.set(key, file)
    }
    return file
  }
  return host
}

function toDiagnostic(projectDir: string, d: ts.Diagnostic): Diagnostic {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n')
  if (!d.file || d.start === undefined) return { file: '', line: 0, code: d.code, message }
  const { line } = d.file.getLineAndCharacterOfPosition(d.start)
  return { file: relative(projectDir, d.file.fileName), line: line + 1, code: d.code, message }
}

/** Type-checks (and, unless `noEmit` is set in its tsconfig, emits) the project whose tsconfig.json is in `projectDir`. */
export function compileProject(projectDir: string): CompileResult {
  const configPath = ts.findConfigFile(projectDir, ts.sys.fileExists)
  if (!configPath) throw new Error(`no tsconfig.json in ${projectDir}`)
  const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile)
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'))
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, projectDir, undefined, configPath)
  const program = ts.createProgram({
    rootNames: parsed.fileNames,
    options: parsed.options,
    host: cachingHost(parsed.options),
    configFileParsingDiagnostics: parsed.errors,
  })
  const all = [...ts.getPreEmitDiagnostics(program)]
  if (!parsed.options.noEmit) all.push(...program.emit().diagnostics)
  const diagnostics = all.map((d) => toDiagnostic(projectDir, d))
  const text = diagnostics.map((d) => `${d.file}:${d.line} TS${d.code}: ${d.message}`).join('\n')
  return { diagnostics, text }
}
