// File provider: processes on one machine share definitions through a private directory, with no server at all.
// The entry is written to a temp file and renamed into place (readers see the old or the new file, never half of
// one); the lease is a file created with O_EXCL holding the owner's token and expiry.
import { lstat, lutimes, readdir, rename, unlink } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { LeasedFlagDefinitionCache } from '../lease/leased-cache'
import { randomToken } from '../lease/random-token'
import { resolveSharedOptions, type SharedFlagDefinitionCacheOptions } from '../lease/options'
import type {
  ChangeSubscriptionEvents,
  LeaseOutcome,
  LeaseStore,
  LeaseTiming,
  ReadLimits,
  StoredEntry,
  StoredEntryRead,
} from '../lease/store'
import { watchFileChanges } from './file-notifications'
import {
  createExclusiveFile,
  defaultCacheDirectory,
  ensurePrivateDirectory,
  readOwnFile,
  RefusedPathError,
} from './file-safety'

/**
 * Options of {@link FileFlagDefinitionCache}.
 *
 * @experimental May change in a minor version.
 */
export interface FileFlagDefinitionCacheOptions extends SharedFlagDefinitionCacheOptions {
  /**
   * Where the files live. Created with mode 0700 if missing; refused if it is a symlink, belongs to another user or
   * is writable by group or others. Default: `posthog-flag-definitions-<uid>` under the OS temp directory.
   */
  directory?: string
}

interface Lease {
  owner: string
  expiresAt: number
  /** How long its holder's leases last: a lease expiring further ahead than that was written before the clock went back. */
  leaseMs: number
}

/** Expired, or dated further ahead than it can last (local time was set back since): either way nobody holds it. */
const leaseLapsed = (lease: Lease, now: number): boolean =>
  lease.expiresAt <= now || lease.expiresAt - now > lease.leaseMs + 1000

const parseJsonString = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** Enough of the entry to hold its first line: the write time and the longest ETag kept (as JSON). */
const HEAD_BYTES = 1200

const validMs = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined

/** How old a temp file must be before the next writer takes it for a dead writer's and removes it. */
const ORPHANED_TEMP_FILE_AGE_MS = 60_000

const ignoreMissing = (error: unknown): void => {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
}

/**
 * Shares flag definitions between processes on one machine through files, so that about one process per `maxAgeMs`
 * fetches them from PostHog.
 *
 * @experimental May change in a minor version.
 */
export class FileFlagDefinitionCache extends LeasedFlagDefinitionCache {
  /** Where the files live (the option, or the per-user default). */
  readonly directory: string
  /**
   * The write time (ms since the epoch, local clock) and the ETag (as JSON) on the first line, then the encoded
   * entry. A 304 only sets the file's modification time, which counts as a later write time.
   */
  readonly entryPath: string
  /** The lease: created exclusively, holding the owner's random token and its expiry. */
  readonly leasePath: string

  constructor(options: FileFlagDefinitionCacheOptions) {
    const { storageName, leaseMs } = resolveSharedOptions('FileFlagDefinitionCache', options)
    if (options.directory !== undefined && (typeof options.directory !== 'string' || options.directory === '')) {
      throw new TypeError('FileFlagDefinitionCache: options.directory must be a non-empty path')
    }
    const directory = options.directory ?? defaultCacheDirectory()
    // The storage name carries the schema version, so package versions never collide.
    const base = join(directory, storageName)
    super(new FileLeaseStore(directory, `${base}.entry`, `${base}.lease`, leaseMs), options, 'FileFlagDefinitionCache')
    this.directory = directory
    this.entryPath = `${base}.entry`
    this.leasePath = `${base}.lease`
  }
}

/** The four lease operations on files. */
class FileLeaseStore implements LeaseStore {
  constructor(
    private readonly directory: string,
    private readonly entryPath: string,
    private readonly leasePath: string,
    /** Default lifetime of a lease whose content cannot be read, and of a claim marker. */
    private readonly leaseMs: number
  ) {}

  async tryTakeLease(token: string, timing: LeaseTiming): Promise<LeaseOutcome> {
    await ensurePrivateDirectory(this.directory)
    if (await this.isFresh(timing.maxAgeMs)) return 'fresh'
    if (!(await this.createLease(token, timing.leaseMs)) && !(await this.recoverStaleLease(token, timing.leaseMs)))
      return 'busy'
    // Freshness and the lease are two files: a holder that stored and released between our check and our create
    // would otherwise make us fetch again at once.
    if (await this.isFresh(timing.maxAgeMs)) {
      await this.releaseLease(token)
      return 'fresh'
    }
    return 'taken'
  }

  async readEntry({ maxEntryBytes }: ReadLimits): Promise<StoredEntryRead | undefined> {
    await ensurePrivateDirectory(this.directory)
    let file
    try {
      // The first line (the write time) is at most 17 bytes: the bound applies to the encoded entry after it.
      file = await readOwnFile(this.entryPath, {
        refuseAbove: { bytes: maxEntryBytes + 17, bound: `maxEntryBytes (${maxEntryBytes})` },
      })
    } catch (error) {
      if (error instanceof RefusedPathError) return { refused: error.message }
      throw error
    }
    if (!file) return undefined
    const newline = file.text.indexOf('\n')
    if (newline < 0) return { refused: 'the entry file has no write-time line' }
    return { payload: file.text.slice(newline + 1) }
  }

  async writeEntry({ payload, etag }: StoredEntry, token: string | undefined, timing: LeaseTiming): Promise<void> {
    await ensurePrivateDirectory(this.directory)
    // A caller that does not hold the lease (it lapsed, or it was never taken) writes only over a stale entry: a
    // late write must not replace the fresh copy of the process that holds the lease now.
    if (!token || (await this.readLease(this.leasePath))?.owner !== token) {
      if (await this.isFresh(timing.maxAgeMs)) return
    }
    await this.removeOrphanedTempFiles()
    // Readers see the old file or the new one, never half of one: the new one is complete before it is renamed.
    const temp = `${this.entryPath}.${randomToken()}.tmp`
    try {
      const head = etag ? `${Date.now()} ${JSON.stringify(etag)}` : `${Date.now()}`
      await createExclusiveFile(temp, `${head}\n${payload}`)
      await rename(temp, this.entryPath)
    } catch (error) {
      await unlink(temp).catch(() => undefined)
      throw error
    }
    if (token) await this.releaseLease(token)
  }

  async markFresh(etag: string, token: string | undefined): Promise<boolean> {
    await ensurePrivateDirectory(this.directory)
    let head
    try {
      head = await readOwnFile(this.entryPath, { firstBytes: HEAD_BYTES })
    } catch (error) {
      if (error instanceof RefusedPathError) return false
      throw error
    }
    const match = head && /^\d{1,16} ("(?:[^"\\\n]|\\.)*")\n/.exec(head.text)
    if (!match || parseJsonString(match[1]) !== etag) return false
    // The modification time, not a rewrite: watchers see no rename, so nobody reloads what did not change.
    const now = new Date()
    await lutimes(this.entryPath, now, now)
    if (token) await this.releaseLease(token)
    return true
  }

  subscribe(onChange: () => void, events: ChangeSubscriptionEvents): () => void {
    return watchFileChanges(this.entryPath, () => ensurePrivateDirectory(this.directory), events.warn, onChange)
  }

  async releaseLease(token: string): Promise<void> {
    const current = await this.readLease(this.leasePath)
    if (current?.owner !== token) return
    await this.removeLeaseIf(current)
  }

  /**
   * Removes temp files of this entry left by a writer killed between creating and renaming one. A temp file younger
   * than a minute may belong to a write in progress (a large entry on a slow disk), so it is left alone.
   */
  private async removeOrphanedTempFiles(): Promise<void> {
    const prefix = `${basename(this.entryPath)}.`
    const names = (await readdir(this.directory)).filter((name) => name.startsWith(prefix) && name.endsWith('.tmp'))
    const cutoff = Date.now() - ORPHANED_TEMP_FILE_AGE_MS
    for (const name of names) {
      const path = join(this.directory, name)
      const stats = await lstat(path).catch(() => undefined)
      if (stats && stats.isFile() && stats.mtimeMs < cutoff) await unlink(path).catch(ignoreMissing)
    }
  }

  /** Reads only the first line of the entry, the write time: freshness is checked on every poll, the entry rarely. */
  private async isFresh(maxAgeMs: number): Promise<boolean> {
    let head
    try {
      head = await readOwnFile(this.entryPath, { firstBytes: 32 })
    } catch (error) {
      if (error instanceof RefusedPathError) return false // stale: fetch, and the write replaces it
      throw error
    }
    const match = head && /^(\d{1,16})[ \n]/.exec(head.text)
    if (!head || !match) return false
    // A 304 marks the entry fresh through its modification time (see markFresh).
    const age = Date.now() - Math.max(Number(match[1]), Math.floor(head.mtimeMs))
    return age >= -1000 && age < maxAgeMs
  }

  private createLease(token: string, leaseMs: number): Promise<boolean> {
    const lease: Lease = { owner: token, expiresAt: Date.now() + leaseMs, leaseMs }
    return createExclusiveFile(this.leasePath, JSON.stringify(lease))
  }

  /** Takes over a lease whose holder let it expire (crashed, or its fetch failed). */
  private async recoverStaleLease(token: string, leaseMs: number): Promise<boolean> {
    const seen = await this.readLease(this.leasePath)
    if (!seen) return this.createLease(token, leaseMs) // released meanwhile
    if (!leaseLapsed(seen, Date.now())) return false
    if (!(await this.removeLeaseIf(seen))) return false
    return this.createLease(token, leaseMs)
  }

  /**
   * Deletes the lease file if it still holds `seen` (and, for a stale one, it is still expired). A file cannot be
   * deleted conditionally, so whoever removes the lease of one owner (its holder releasing, or a process recovering
   * it) first claims that owner with an exclusively created marker. Only the claimant can remove that lease, so the
   * file it re-reads is the file it deletes, never a lease another process has just taken. True when it was removed.
   */
  private async removeLeaseIf(seen: Lease): Promise<boolean> {
    const claim = `${this.leasePath}.${seen.owner || 'unreadable'}.claim`
    if (!(await this.takeClaim(claim))) return false
    try {
      const current = await this.readLease(this.leasePath)
      if (!current || current.owner !== seen.owner) return false
      if (leaseLapsed(seen, Date.now()) && !leaseLapsed(current, Date.now())) return false
      await unlink(this.leasePath).catch(ignoreMissing)
      return true
    } finally {
      await unlink(claim).catch(ignoreMissing)
    }
  }

  /** Creates the claim marker; one left by a process that crashed while holding it lapses after leaseMs. */
  private async takeClaim(claim: string): Promise<boolean> {
    if (await createExclusiveFile(claim, '')) return true
    const left = await readOwnFile(claim)
    if (left && left.mtimeMs + this.leaseMs > Date.now()) return false
    await unlink(claim).catch(ignoreMissing)
    return createExclusiveFile(claim, '')
  }

  private async readLease(path: string): Promise<Lease | undefined> {
    const file = await readOwnFile(path)
    if (!file) return undefined
    try {
      const lease = JSON.parse(file.text) as Partial<Lease>
      // The owner names the claim marker, so only a token this package writes is taken as one.
      if (typeof lease.owner === 'string' && /^[0-9a-f]{32}$/.test(lease.owner) && typeof lease.expiresAt === 'number')
        return {
          owner: lease.owner,
          expiresAt: lease.expiresAt,
          leaseMs: validMs(lease.leaseMs) ?? this.leaseMs,
        }
    } catch {
      // fall through: an empty file is a lease being written right now
    }
    // Unreadable (being written, or damaged): it expires leaseMs after it was last modified.
    return { owner: '', expiresAt: file.mtimeMs + this.leaseMs, leaseMs: this.leaseMs }
  }
}
