// Creates one consumer project folder (fixture sources + package.json + tsconfig.json) inside the packed consumer,
// so `posthog-node` resolves from the installed tarball exactly as in a user's project.
import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { packedConsumer, type PackedConsumer } from './packed-consumer'

export const fixturesDir = join(__dirname, '..', 'fixtures')

export interface ProjectSpec {
  /** Folder name under the consumer's `projects/`. */
  name: string
  /** `type` of the project's package.json. */
  packageType: 'commonjs' | 'module'
  compilerOptions: Record<string, unknown>
  /** Files to copy in: paths relative to test/package/fixtures, or a map of file name to content. */
  files: string[] | Record<string, string>
  /** The consumer project to create it in; the packed tarball's by default. */
  consumer?: PackedConsumer
}

/**
 * Settings of a Node user's strict build. `lib` is es2022 without DOM and `skipLibCheck` is off, so every published
 * declaration (and anything it pulls in from dependencies) is type-checked against Node's own types.
 */
export const strictNodeUser = {
  strict: true,
  target: 'es2022',
  lib: ['es2022'],
  types: ['node'],
  skipLibCheck: false,
  rootDir: '.',
  outDir: 'out',
}

export function createProject(spec: ProjectSpec): string {
  const dir = join((spec.consumer ?? packedConsumer()).dir, 'projects', spec.name)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  if (Array.isArray(spec.files)) {
    for (const file of spec.files) cpSync(join(fixturesDir, file), join(dir, file.split('/').pop()!))
  } else {
    for (const [name, content] of Object.entries(spec.files)) writeFileSync(join(dir, name), content)
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true, type: spec.packageType }, null, 2))
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: spec.compilerOptions, include: ['*.ts'] }, null, 2)
  )
  return dir
}

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs a script with node from inside the consumer project; never rejects, the result says what happened. */
export async function runNode(cwd: string, args: string[]): Promise<RunResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, args, { cwd, timeout: 20_000 })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string; message: string }
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? e.message }
  }
}
