// Packs the built package once per distinct build and installs the tarball into one consumer project under
// test/package/.work. Every package test resolves `posthog-node` from that consumer's node_modules, so the tests see
// exactly what a user installs, and the slow part (pack + install) runs once however many test files need it.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'

export const repoRoot = join(__dirname, '..', '..', '..')
export const workRoot = join(repoRoot, 'test', 'package', '.work')
const repoModules = join(repoRoot, 'node_modules')

export interface PackedConsumer {
  /** The consumer project: its node_modules holds the installed tarball and its dependencies. */
  dir: string
  tarball: string
  /** Where `posthog-node` is installed (the unpacked tarball). */
  packageDir: string
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? listFiles(path) : [path]
  })
}

/**
 * A file's content for the fingerprint. While `npm pack` runs, package.json is the packed variant and the repository's
 * own is saved aside (scripts/pack-manifest.mjs): a worker reading it then must reach the same fingerprint.
 */
function fingerprintContent(file: string): Buffer {
  if (relative(repoRoot, file) === 'package.json') {
    const saved = readIfExists(`${file}.unpacked`)
    if (saved !== undefined) return Buffer.from(saved)
  }
  return readFileSync(file)
}

/** A fingerprint of everything `npm pack` puts in the tarball, so a rebuilt package gets a fresh consumer. */
function buildFingerprint(): string {
  const dist = join(repoRoot, 'dist')
  if (!existsSync(join(dist, 'experimental.d.ts'))) {
    throw new Error('dist/ is missing or incomplete: run `npm run build` before the package tests (npm test does).')
  }
  const hash = createHash('sha256')
  const files = [
    ...listFiles(dist),
    ...['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE'].map((name) => join(repoRoot, name)),
  ]
  for (const file of files.filter((f) => existsSync(f)).sort()) {
    hash.update(relative(repoRoot, file)).update('\0').update(fingerprintContent(file)).update('\0')
  }
  return hash.digest('hex').slice(0, 16)
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const quiet = { stdio: 'pipe' as const, encoding: 'utf8' as const }

function link(target: string, path: string): void {
  if (existsSync(path) || !existsSync(target)) return
  mkdirSync(join(path, '..'), { recursive: true })
  symlinkSync(target, path, 'dir')
}

function createConsumer(dir: string): PackedConsumer {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const packed = JSON.parse(
    // With its scripts, as a user packs: `prepack` writes the tarball's package.json without `prepare`.
    execFileSync(npm, ['pack', '--json', '--pack-destination', dir], { cwd: repoRoot, ...quiet })
  ) as { filename: string }[]
  const tarball = join(dir, packed[0]!.filename)
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'posthog-node-consumer', private: true, version: '0.0.0' }, null, 2)
  )
  const install = (mode: string) =>
    execFileSync(npm, ['install', mode, '--no-audit', '--no-fund', '--ignore-scripts', '--no-save', tarball], {
      cwd: dir,
      ...quiet,
    })
  try {
    // @posthog/core is the only dependency and `npm ci` already put it in the npm cache.
    install('--offline')
  } catch {
    install('--prefer-offline')
  }
  // Tools and the optional peers come from the repository instead of the network: type definitions a Node user has,
  // and the clients README examples use with the shipped providers.
  for (const name of [
    '@types/node',
    'ioredis',
    'pg',
    '@types/pg',
    '@aws-sdk/client-dynamodb',
    '@aws-sdk/lib-dynamodb',
  ]) {
    link(join(repoModules, name), join(dir, 'node_modules', name))
  }
  return { dir, tarball, packageDir: join(dir, 'node_modules', 'posthog-node') }
}

/**
 * A consumer with upstream posthog-node 5.13.2 (the dev dependency `posthog-node-upstream`) installed as
 * `posthog-node`: the control that shows the package tests catch upstream's defects.
 */
export function upstreamConsumer(): PackedConsumer {
  const dir = join(workRoot, 'upstream-consumer')
  const packageDir = join(dir, 'node_modules', 'posthog-node')
  mkdirSync(workRoot, { recursive: true })
  try {
    link(join(repoModules, 'posthog-node-upstream'), packageDir)
    link(join(repoModules, '@types', 'node'), join(dir, 'node_modules', '@types', 'node'))
  } catch (error) {
    // Another test worker created the same links first.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  return { dir, tarball: '', packageDir }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

let cached: PackedConsumer | undefined

/**
 * The consumer project for the current build. Jest runs test files in parallel workers: the first one packs and
 * installs while holding a lock directory, the others wait for its `ready` marker.
 */
export function packedConsumer(): PackedConsumer {
  if (cached) return cached
  const fingerprint = buildFingerprint()
  const dir = join(workRoot, `consumer-${fingerprint}`)
  const ready = join(dir, '.ready.json')
  const lock = join(workRoot, `consumer-${fingerprint}.lock`)
  mkdirSync(workRoot, { recursive: true })
  const deadline = Date.now() + 120_000
  while (!existsSync(ready)) {
    try {
      mkdirSync(lock)
    } catch {
      // A lock left behind by a killed run is taken over.
      const owner = Number(readIfExists(join(lock, 'pid')) ?? NaN)
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()
      if ((Number.isInteger(owner) && !isAlive(owner)) || Date.now() - since > 120_000) {
        rmSync(lock, { recursive: true, force: true })
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock} (delete it if no test run is active)`)
      sleep(100)
      continue
    }
    try {
      writeFileSync(join(lock, 'pid'), String(process.pid))
      // Consumers of older builds are no longer needed.
      for (const name of readdirSync(workRoot)) {
        if (name.startsWith('consumer-') && !name.startsWith(`consumer-${fingerprint}`)) {
          rmSync(join(workRoot, name), { recursive: true, force: true })
        }
      }
      const consumer = createConsumer(dir)
      writeFileSync(ready, JSON.stringify(consumer))
    } finally {
      rmSync(lock, { recursive: true, force: true })
    }
  }
  cached = JSON.parse(readFileSync(ready, 'utf8')) as PackedConsumer
  return cached
}
