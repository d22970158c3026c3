// The workers load the BUILT package. `npm test` builds first; when dist/ is missing or older than src/ (a direct
// `npx jest` run after an edit), the JavaScript is rebuilt with rollup under a lock so parallel test files build once.
// A failed rebuild (src/ mid-edit) falls back to the existing build when there is one.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'

const root = join(__dirname, '..', '..', '..')
const outputs = [join(root, 'dist', 'experimental.js'), join(root, 'dist', 'entrypoints', 'index.node.js')]

function newestMtime(directory: string): number {
  let newest = 0
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

function isStale(): boolean {
  if (!outputs.every((file) => existsSync(file))) return true
  const built = Math.min(...outputs.map((file) => statSync(file).mtimeMs))
  return newestMtime(join(root, 'src')) > built
}

/**
 * Makes sure dist/ is built, then copies it to a private folder under build/ (where node_modules still resolves) and
 * returns that folder: other developers' `npm run build` empties dist/ while it runs, which must not pull the
 * package out from under running workers. Remove it with {@link removeSnapshot}.
 */
export function snapshotOfBuild(): string {
  ensureBuilt()
  const snapshot = join(root, 'build', 'multiprocess', `${process.pid}-${Date.now()}`)
  for (let attempt = 1; ; attempt++) {
    try {
      cpSync(join(root, 'dist'), snapshot, { recursive: true })
      if (!outputs.every((file) => existsSync(join(snapshot, file.slice(join(root, 'dist').length))))) {
        throw new Error('dist/ was incomplete while being copied')
      }
      return snapshot
    } catch (error) {
      rmSync(snapshot, { recursive: true, force: true })
      if (attempt === 3) throw error
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000) // someone is rebuilding: wait, then retry
      ensureBuilt()
    }
  }
}

export function removeSnapshot(snapshot: string | undefined): void {
  if (snapshot) rmSync(snapshot, { recursive: true, force: true })
}

function ensureBuilt(): void {
  if (!isStale()) return
  const lock = join(root, 'dist.multiprocess-build.lock')
  const deadline = Date.now() + 120_000
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch {
      if (Date.now() > deadline) throw new Error(`could not take ${lock}; remove it if no build is running`)
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200)
    }
  }
  try {
    if (isStale())
      execFileSync(join(root, 'node_modules', '.bin', 'rollup'), ['-c', '--silent'], { cwd: root, stdio: 'pipe' })
  } catch (error) {
    // src/ may be mid-edit; an existing build still lets these tests run (npm test always builds first anyway).
    if (!outputs.every((file) => existsSync(file))) throw error
    console.warn(
      `multiprocess tests: rebuilding dist/ failed, using the existing build (${(error as Error).message.split('\n')[0]})`
    )
  } finally {
    rmdirSync(lock)
  }
}
