// File provider: processes on one machine share definitions through a private directory, with no server at all.
// The entry is written to a temp file and renamed into place (readers see the old or the new file, never half of
// one); the lease is a file created with O_EXCL holding the owner's token and expiry.
import { rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { FlagDefinitionCacheData } from '../../contracts/provider'
import { LeasedFlagDefinitionCache } from './leased-provider'
import {
  createExclusiveFile,
  defaultCacheDirectory,
  ensurePrivateDirectory,
  readOwnFile,
  RefusedPathError,
} from './file-safety'
import { newLeaseToken } from './lease-token'
import { type ResolvedSharedOptions, resolveSharedOptions, type SharedFlagDefinitionCacheOptions } from './options'
import { LeasedDefinitionsCache, type LeaseOutcome, type LeaseStore, type ReadOutcome } from './shared-cache'
import { decodeStoredEntry, encodeStoredEntry, STORED_SCHEMA_VERSION } from './stored-entry'

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

const validMs = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined

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
  /** `{ v, fetchedAt, data }` as JSON. The schema version is part of the name, so package versions never collide. */
  readonly entryPath: string
  /** The lease: created exclusively, holding the owner's random token and its expiry. */
  readonly leasePath: string

  constructor(options: FileFlagDefinitionCacheOptions) {
    const resolved = resolveSharedOptions('FileFlagDefinitionCache', options)
    if (options.directory !== undefined && (typeof options.directory !== 'string' || options.directory === '')) {
      throw new TypeError('FileFlagDefinitionCache: options.directory must be a non-empty path')
    }
    const directory = options.directory ?? defaultCacheDirectory()
    const base = join(directory, `${resolved.keyHash}.v${STORED_SCHEMA_VERSION}`)
    const store = new FileLeaseStore(resolved, directory, `${base}.json`, `${base}.lease`)
    super(new LeasedDefinitionsCache('FileFlagDefinitionCache', resolved, store))
    this.directory = directory
    this.entryPath = `${base}.json`
    this.leasePath = `${base}.lease`
  }
}

/** The four lease operations on files. */
class FileLeaseStore implements LeaseStore {
  constructor(
    private readonly options: ResolvedSharedOptions,
    private readonly directory: string,
    private readonly entryPath: string,
    private readonly leasePath: string
  ) {}

  async tryTakeLease(token: string): Promise<LeaseOutcome> {
    await ensurePrivateDirectory(this.directory)
    if (await this.isFresh()) return 'fresh'
    if (!(await this.createLease(token)) && !(await this.recoverStaleLease(token))) return 'busy'
    // Freshness and the lease are two files: a holder that stored and released between our check and our create
    // would otherwise make us fetch again at once.
    if (await this.isFresh()) {
      await this.releaseLease(token)
      return 'fresh'
    }
    return 'taken'
  }

  async readEntry(): Promise<ReadOutcome> {
    await ensurePrivateDirectory(this.directory)
    let file
    try {
      file = await readOwnFile(this.entryPath)
    } catch (error) {
      if (error instanceof RefusedPathError) return { found: true, ok: false, reason: error.message }
      throw error
    }
    if (!file) return { found: false }
    return { found: true, ...decodeStoredEntry(file.text) }
  }

  async writeEntry(data: FlagDefinitionCacheData, token: string | undefined): Promise<void> {
    await ensurePrivateDirectory(this.directory)
    // A caller that does not hold the lease (it lapsed, or it was never taken) stores only over a stale entry: a
    // late write must not replace the fresh copy of the process that holds the lease now.
    if (!token || (await this.readLease(this.leasePath))?.owner !== token) {
      if (await this.isFresh()) return
    }
    const temp = `${this.entryPath}.${newLeaseToken()}.tmp`
    try {
      await createExclusiveFile(temp, encodeStoredEntry(data, Date.now()))
      await rename(temp, this.entryPath)
    } catch (error) {
      await unlink(temp).catch(() => undefined)
      throw error
    }
    if (token) await this.releaseLease(token)
  }

  async releaseLease(token: string): Promise<void> {
    const current = await this.readLease(this.leasePath)
    if (current?.owner !== token) return
    await this.removeLeaseIf(current)
  }

  /**
   * Reads only the head of the entry, `{"v":1,"fetchedAt":1732850000000,...`, which the writer always puts first:
   * freshness is checked on every poll, the full parse only when definitions are read.
   */
  private async isFresh(): Promise<boolean> {
    let head
    try {
      head = await readOwnFile(this.entryPath, 64)
    } catch (error) {
      if (error instanceof RefusedPathError) return false // stale: fetch, and the write replaces it
      throw error
    }
    const match = head && /^\{"v":(\d+),"fetchedAt":(\d+),/.exec(head.text)
    if (!match || Number(match[1]) !== STORED_SCHEMA_VERSION) return false
    const age = Date.now() - Number(match[2])
    return age >= -1000 && age < this.options.maxAgeMs
  }

  private createLease(token: string): Promise<boolean> {
    const { leaseMs } = this.options
    const lease: Lease = { owner: token, expiresAt: Date.now() + leaseMs, leaseMs }
    return createExclusiveFile(this.leasePath, JSON.stringify(lease))
  }

  /** Takes over a lease whose holder let it expire (crashed, or its fetch failed). */
  private async recoverStaleLease(token: string): Promise<boolean> {
    const seen = await this.readLease(this.leasePath)
    if (!seen) return this.createLease(token) // released meanwhile
    if (!leaseLapsed(seen, Date.now())) return false
    if (!(await this.removeLeaseIf(seen))) return false
    return this.createLease(token)
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
    if (left && left.mtimeMs + this.options.leaseMs > Date.now()) return false
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
          leaseMs: validMs(lease.leaseMs) ?? this.options.leaseMs,
        }
    } catch {
      // fall through: an empty file is a lease being written right now
    }
    // Unreadable (being written, or damaged): it expires leaseMs after it was last modified.
    return { owner: '', expiresAt: file.mtimeMs + this.options.leaseMs, leaseMs: this.options.leaseMs }
  }
}
