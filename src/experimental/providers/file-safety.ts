// A shared temp directory is hostile ground: another local user may plant a symlink or a file where ours should be,
// to read customer data out of flag definitions or to feed us theirs. Everything here refuses what it did not make.
import { constants, type Stats } from 'node:fs'
import { lstat, mkdir, open } from 'node:fs/promises'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'

/** Raised for a path the file provider will not use; the message says why and what to do. */
export class RefusedPathError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RefusedPathError'
  }
}

const NOFOLLOW = constants.O_NOFOLLOW ?? 0
const currentUid = (): number | undefined => process.getuid?.()

/** The per-user default: `<os temp dir>/posthog-flag-definitions-<uid>`. */
export function defaultCacheDirectory(): string {
  const uid = currentUid()
  const who = uid !== undefined ? String(uid) : userInfo().username.replace(/[^A-Za-z0-9_.-]/g, '_')
  return join(tmpdir(), `posthog-flag-definitions-${who}`)
}

function checkOwnership(stats: Stats, path: string, kind: 'directory' | 'file'): void {
  const uid = currentUid()
  if (uid !== undefined && stats.uid !== uid) {
    throw new RefusedPathError(
      `${kind} ${path} belongs to uid ${stats.uid}, not to this process (uid ${uid}); refusing to use it`
    )
  }
  if (process.platform !== 'win32' && (stats.mode & 0o022) !== 0) {
    throw new RefusedPathError(
      `${kind} ${path} is writable by group or others (mode ${(stats.mode & 0o777).toString(8)}); refusing to use it (chmod go-w, or choose another directory)`
    )
  }
}

/** Creates the directory (mode 0700) if missing, then refuses a symlink, a non-directory, or one we do not own. */
export async function ensurePrivateDirectory(directory: string): Promise<void> {
  await mkdir(directory, { recursive: true, mode: 0o700 })
  const stats = await lstat(directory)
  if (stats.isSymbolicLink())
    throw new RefusedPathError(`directory ${directory} is a symbolic link; refusing to use it`)
  if (!stats.isDirectory()) throw new RefusedPathError(`${directory} is not a directory`)
  checkOwnership(stats, directory, 'directory')
}

/** How much of a file {@link readOwnFile} reads. */
export interface ReadBounds {
  /** Read only the first this many bytes. */
  firstBytes?: number
  /** Refuse (RefusedPathError) a file larger than this many bytes without reading it. */
  refuseAbove?: number
}

/**
 * Reads a file (or its first bytes) without following a symlink and only if we own it. Undefined when it does not
 * exist.
 */
export async function readOwnFile(
  path: string,
  bounds: ReadBounds = {}
): Promise<{ text: string; mtimeMs: number } | undefined> {
  let handle
  try {
    handle = await open(path, constants.O_RDONLY | NOFOLLOW)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return undefined
    if (code === 'ELOOP' || code === 'EMLINK')
      throw new RefusedPathError(`file ${path} is a symbolic link; refusing to read it`)
    throw error
  }
  try {
    const stats = await handle.stat()
    if (!stats.isFile()) throw new RefusedPathError(`${path} is not a regular file; refusing to read it`)
    checkOwnership(stats, path, 'file')
    const { firstBytes, refuseAbove } = bounds
    if (refuseAbove !== undefined && stats.size > refuseAbove) {
      throw new RefusedPathError(`file ${path} is ${stats.size} bytes, more than maxEntryBytes allows; not read`)
    }
    if (firstBytes === undefined) return { text: await handle.readFile('utf8'), mtimeMs: stats.mtimeMs }
    const buffer = Buffer.alloc(firstBytes)
    const { bytesRead } = await handle.read(buffer, 0, firstBytes, 0)
    return { text: buffer.subarray(0, bytesRead).toString('utf8'), mtimeMs: stats.mtimeMs }
  } finally {
    await handle.close()
  }
}

/** Creates a new file (mode 0600) that must not exist yet, and writes it. False when it already exists. */
export async function createExclusiveFile(path: string, text: string): Promise<boolean> {
  let handle
  try {
    handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o600)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  }
  try {
    await handle.writeFile(text, 'utf8')
  } finally {
    await handle.close()
  }
  return true
}
