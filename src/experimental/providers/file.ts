// File provider: processes on one machine share definitions through a private directory, with no server at all.
// The entry is written to a temp file and renamed into place (readers see the old or the new file, never half of
// one); the lease is a file created with O_EXCL holding the owner's token and expiry.
import { link, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { FlagDefinitionCacheData, FlagDefinitionCacheProvider } from '../provider'
import {
  createExclusiveFile,
  defaultCacheDirectory,
  ensurePrivateDirectory,
  readOwnFile,
  RefusedPathError,
} from './file-safety'
import { newLeaseToken } from './lease-token'
import { type ResolvedSharedOptions, resolveSharedOptions, type SharedFlagDefinitionCacheOptions } from './options'
import {
  type FlagDefinitionCacheProviderStats,
  LeasedDefinitionsCache,
  type LeaseOutcome,
  type LeaseStore,
  type ReadOutcome,
} from './shared-cache'
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
}

const ignoreMissing = (error: unknown): void => {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
}

/**
 * Shares flag definitions between processes on one machine through files, so that about one process per `maxAgeMs`
 * fetches them from PostHog.
 *
 * @experimental May change in a minor version.
 */
export class FileFlagDefinitionCache implements FlagDefinitionCacheProvider {
  /** Where the files live (the option, or the per-user default). */
  readonly directory: string
  /** `{ v, fetchedAt, data }` as JSON. The schema version is part of the name, so package versions never collide. */
  readonly entryPath: string
  /** The lease: created exclusively, holding the owner's random token and its expiry. */
  readonly leasePath: string
  private readonly cache: LeasedDefinitionsCache

  constructor(options: FileFlagDefinitionCacheOptions) {
    const resolved = resolveSharedOptions('FileFlagDefinitionCache', options)
    if (options.directory !== undefined && (typeof options.directory !== 'string' || options.directory === '')) {
      throw new TypeError('FileFlagDefinitionCache: options.directory must be a non-empty path')
    }
    this.directory = options.directory ?? defaultCacheDirectory()
    const base = join(this.directory, `${resolved.keyHash}.v${STORED_SCHEMA_VERSION}`)
    this.entryPath = `${base}.json`
    this.leasePath = `${base}.lease`
    const store = new FileLeaseStore(resolved, this.directory, this.entryPath, this.leasePath)
    this.cache = new LeasedDefinitionsCache('FileFlagDefinitionCache', resolved, store)
  }

  /** True for exactly one process when the shared definitions are older than `maxAgeMs` (or absent): it fetches. */
  shouldFetchFlagDefinitions(): Promise<boolean> {
    return this.cache.shouldFetchFlagDefinitions()
  }

  /** The shared definitions, even when older than `maxAgeMs`; undefined when there are none or they are unusable. */
  getFlagDefinitions(): Promise<FlagDefinitionCacheData | undefined> {
    return this.cache.getFlagDefinitions()
  }

  /** Stores definitions this process fetched, then releases its lease if it still holds it. */
  onFlagDefinitionsReceived(data: FlagDefinitionCacheData): Promise<void> {
    return this.cache.onFlagDefinitionsReceived(data)
  }

  /** Releases a lease this instance holds. Never removes the directory or the stored definitions. */
  shutdown(): Promise<void> {
    return this.cache.shutdown()
  }

  /** A copy of this instance's counters. */
  getStats(): FlagDefinitionCacheProviderStats {
    return this.cache.getStats()
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
    await this.removeLeaseIf(token)
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
    const lease: Lease = { owner: token, expiresAt: Date.now() + this.options.leaseMs }
    return createExclusiveFile(this.leasePath, JSON.stringify(lease))
  }

  /**
   * Takes over a lease whose holder let it expire (crashed, or its fetch failed). The stale file is first renamed
   * aside, which is atomic, and only deleted if it is the very lease we judged stale: a fresh lease that another
   * process created in the meantime is put back, never deleted.
   */
  private async recoverStaleLease(token: string): Promise<boolean> {
    const seen = await this.readLease(this.leasePath)
    if (!seen) return this.createLease(token) // released meanwhile
    if (seen.expiresAt > Date.now()) return false
    if (!(await this.removeLeaseIf(seen.owner))) return false
    return this.createLease(token)
  }

  /** Moves the lease aside; deletes it if `owner` holds it, else puts it back. True when it was removed. */
  private async removeLeaseIf(owner: string): Promise<boolean> {
    const aside = `${this.leasePath}.${newLeaseToken()}.aside`
    try {
      await rename(this.leasePath, aside)
    } catch (error) {
      ignoreMissing(error)
      return false
    }
    const moved = await this.readLease(aside).catch(() => undefined)
    if (moved?.owner === owner) {
      await unlink(aside).catch(ignoreMissing)
      return true
    }
    // Not the lease we meant: restore it. link() fails if yet another lease appeared, which then stands.
    await link(aside, this.leasePath).catch(() => undefined)
    await unlink(aside).catch(ignoreMissing)
    return false
  }

  private async readLease(path: string): Promise<Lease | undefined> {
    const file = await readOwnFile(path)
    if (!file) return undefined
    try {
      const lease = JSON.parse(file.text) as Partial<Lease>
      if (typeof lease.owner === 'string' && typeof lease.expiresAt === 'number') return lease as Lease
    } catch {
      // fall through: an empty file is a lease being written right now
    }
    // Unreadable (being written, or damaged): it expires leaseMs after it was last modified.
    return { owner: '', expiresAt: file.mtimeMs + this.options.leaseMs }
  }
}
