// The policy every shipped provider shares, public so a provider for any other store is just its four operations.
// Keeping it in one place is what makes all providers behave the same: fail fast, fall back to fetching, never
// throw, never store or return invalid data, release only one's own lease.
import { validateFlagDefinitions } from '../../definitions/validate'
import { TimeoutError, describeError, errorMessage, withTimeout } from '../../shared/async'
import { usableEtag } from '../../shared/etag'
import { missingMethods } from '../../shared/missing-methods'
import type { FlagDefinitionCacheData, FlagDefinitionCacheProvider } from '../../contracts/provider'
import { FlagDefinitionsCodec } from './codec'
import { randomToken } from './random-token'
import { ProviderLog } from './logger'
import { resolveSharedOptions, type SharedFlagDefinitionCacheOptions } from './options'
import { emptyStats, type FlagDefinitionCacheProviderStats } from './stats'
import type { LeaseOutcome, LeaseStore, LeaseTiming, StoredEntryRead } from './store'

const OPERATIONS = ['tryTakeLease', 'readEntry', 'writeEntry', 'releaseLease'] as const

const describe = (value: unknown): string =>
  typeof value === 'string' ? JSON.stringify(value) : value === null ? 'null' : typeof value

/**
 * A flag definition cache provider over any store that supplies the four atomic operations of a
 * {@link LeaseStore}: about one process per `maxAgeMs` fetches from PostHog, the others read what it stored.
 *
 * Every store operation is bounded by `timeoutMs`; a failure or timeout is counted, logged once per kind, and falls
 * back safely: `shouldFetchFlagDefinitions()` says true (this process fetches for itself), `getFlagDefinitions()`
 * says undefined. No method ever throws. Entries pass the {@link FlagDefinitionsCodec} both ways (schema version,
 * optional gzip and HMAC tag, size bound, validation); an entry that is refused is counted as invalid and makes the
 * next `shouldFetchFlagDefinitions()` of this instance treat the stored entry as stale, so a fetch replaces it.
 *
 * The Redis, PostgreSQL and file providers are this class over their own store.
 *
 * @experimental May change in a minor version.
 */
export class LeasedFlagDefinitionCache implements FlagDefinitionCacheProvider {
  /** How old the shared definitions may get before one process fetches fresh ones. */
  readonly maxAgeMs: number
  /** How long one process holds the right to fetch. */
  readonly leaseMs: number
  /** Bound on every store operation. */
  readonly timeoutMs: number
  private readonly store: LeaseStore
  private readonly codec: FlagDefinitionsCodec
  private readonly log: ProviderLog
  private readonly stats: FlagDefinitionCacheProviderStats = emptyStats()
  /**
   * The token of the lease this instance holds, if any. The lease belongs to the provider instance, not to a call:
   * while it is held, a further `shouldFetchFlagDefinitions()` (a retry after a failed fetch, or another client
   * sharing this instance) answers false like for anyone else, so one lease never means two fetches.
   */
  private leaseToken: string | undefined
  /** The last read refused the stored entry: it must be replaced even if the store calls it fresh. */
  private storedEntryRefused = false
  /**
   * Present when the store can mark its entry fresh ({@link LeaseStore.markFresh}): after a 304, marks the stored
   * entry fresh if it still carries `etag`, releasing the lease; false when it holds other data (the client then
   * downloads in full).
   */
  readonly onFlagDefinitionsNotModified?: (etag: string) => Promise<boolean>
  /** Present when the store can push ({@link LeaseStore.subscribe}): calls `onChange` when another process stored. */
  readonly subscribe?: (onChange: () => void) => () => Promise<void>

  /**
   * @param store - the four operations, for one shared entry (name it with {@link flagDefinitionsStorageName}).
   * @param options - the shared options; `key` must be the one the store's entry name was built from.
   * @param name - shown in front of every log message. Default `'LeasedFlagDefinitionCache'`.
   */
  constructor(store: LeaseStore, options: SharedFlagDefinitionCacheOptions, name = 'LeasedFlagDefinitionCache') {
    const resolved = resolveSharedOptions(name, options)
    const missing = missingMethods(store, OPERATIONS)
    if (missing.length > 0) {
      throw new TypeError(
        `${name}: the store must have the four lease operations (${OPERATIONS.join(', ')}); missing ${missing.join(', ')}`
      )
    }
    this.store = store
    this.codec = new FlagDefinitionsCodec(options, name)
    this.maxAgeMs = resolved.maxAgeMs
    this.leaseMs = resolved.leaseMs
    this.timeoutMs = resolved.timeoutMs
    this.log = new ProviderLog(name, resolved.logger)
    if (typeof store.markFresh === 'function') this.onFlagDefinitionsNotModified = (etag) => this.markFresh(etag)
    if (typeof store.subscribe === 'function') this.subscribe = (onChange) => this.subscribeToStore(onChange)
    if (this.leaseMs > this.maxAgeMs) {
      this.log.warn(
        'lease-longer-than-max-age',
        `leaseMs (${this.leaseMs}) is longer than maxAgeMs (${this.maxAgeMs}): when the process holding the lease ` +
          `dies or its fetch fails, no process refreshes the definitions for up to ${this.leaseMs} ms, so they may ` +
          `get ${this.leaseMs + this.maxAgeMs} ms old instead of about ${2 * this.maxAgeMs} ms. Keep leaseMs at most maxAgeMs.`
      )
    }
  }

  /** True for exactly one process when the shared definitions are older than `maxAgeMs` (or absent): it fetches. */
  async shouldFetchFlagDefinitions(): Promise<boolean> {
    const token = randomToken()
    let outcome: LeaseOutcome
    const attempt = this.call(() => this.store.tryTakeLease(token, this.timing()))
    try {
      outcome = await this.run(attempt, 'taking the fetch lease')
    } catch (error) {
      this.failed('take-lease', 'taking the fetch lease failed; this process fetches from the API itself', error)
      // A timed-out attempt may still take the lease later; nobody would hold it, so every other process would be
      // told "busy" until it lapsed. Give it back as soon as it lands.
      if (error instanceof TimeoutError) {
        attempt.then(
          (late) => (late === 'taken' ? this.release(token) : undefined),
          () => undefined
        )
      }
      return true
    }
    if (outcome !== 'taken' && outcome !== 'fresh' && outcome !== 'busy') {
      this.failed(
        'take-lease',
        'taking the fetch lease failed; this process fetches from the API itself',
        new TypeError(`the store's tryTakeLease returned ${describe(outcome)}, expected 'taken', 'fresh' or 'busy'`)
      )
      return true
    }
    this.log.recovered('take-lease')
    if (outcome === 'taken') {
      this.leaseToken = token
      this.stats.leasesTaken++
      this.log.debug('took the fetch lease')
      return true
    }
    this.stats[outcome === 'fresh' ? 'fresh' : 'busy']++
    return false
  }

  /** The shared definitions, even when older than `maxAgeMs`; undefined when there are none or they are unusable. */
  async getFlagDefinitions(): Promise<FlagDefinitionCacheData | undefined> {
    let read: StoredEntryRead | undefined
    try {
      read = await this.run(
        this.call(() => this.store.readEntry({ maxEntryBytes: this.codec.maxEntryBytes })),
        'reading the stored definitions'
      )
    } catch (error) {
      this.failed('read', 'could not read the stored definitions; treating it as a cache miss', error)
      return undefined
    }
    this.log.recovered('read')
    if (read === undefined || read === null) {
      this.stats.misses++
      return undefined
    }
    const decoded =
      typeof read !== 'object'
        ? { ok: false as const, reason: `the store's readEntry returned ${describe(read)}, expected { payload }` }
        : 'refused' in read
          ? { ok: false as const, reason: String(read.refused) }
          : await this.codec.decode(read.payload)
    if (!decoded.ok) {
      this.stats.invalid++
      this.storedEntryRefused = true
      this.log.warn('invalid-entry', `ignoring the stored definitions for this key: ${decoded.reason}`)
      return undefined
    }
    this.storedEntryRefused = false
    this.log.recovered('invalid-entry')
    this.stats.hits++
    return decoded.data
  }

  /** Writes definitions this process fetched to the store, then releases its lease if it still holds it. */
  async onFlagDefinitionsReceived(data: FlagDefinitionCacheData): Promise<void> {
    const token = this.leaseToken
    this.leaseToken = undefined
    const valid = validateFlagDefinitions(data)
    if (!valid.ok) {
      this.log.warn('invalid-data', `not writing definitions that fail validation: ${valid.reason}`)
      if (token) await this.release(token)
      return
    }
    let payload: string
    try {
      payload = await this.codec.encode(valid.data)
    } catch (error) {
      this.log.warn('encode', errorMessage(error))
      if (token) await this.release(token)
      return
    }
    const etag = usableEtag(valid.data.etag)
    try {
      await this.run(
        this.call(() => this.store.writeEntry(etag ? { payload, etag } : { payload }, token, this.timing())),
        'writing the definitions'
      )
      this.storedEntryRefused = false
      this.log.recovered('write')
      this.stats.writes++
      this.log.debug(`wrote ${valid.data.flags.length} flag definitions to the store`)
    } catch (error) {
      this.failed(
        'write',
        'could not write the definitions to the store; other processes keep their current ones',
        error
      )
      // The lease lapses by itself after leaseMs if this release cannot reach the store either.
      if (token) await this.release(token)
    }
  }

  /**
   * Releases a lease this instance holds. Never closes the client or pool it was given, never removes the directory
   * or the stored definitions.
   */
  async shutdown(): Promise<void> {
    const token = this.leaseToken
    this.leaseToken = undefined
    if (token) await this.release(token)
  }

  private async markFresh(etag: string): Promise<boolean> {
    const token = this.leaseToken
    this.leaseToken = undefined
    const stored = usableEtag(etag)
    let marked = false
    try {
      if (stored && !this.storedEntryRefused) {
        marked = await this.run(
          this.call(() => this.store.markFresh!(stored, token)),
          'marking the stored definitions fresh'
        )
      }
      this.log.recovered('mark-fresh')
    } catch (error) {
      this.failed('mark-fresh', 'could not mark the stored definitions fresh; the lease lapses by itself', error)
      return true // nothing better to do: another fetch would not reach the store either
    }
    if (marked === true) {
      this.stats.markedFresh++
      return true
    }
    // The entry holds something else: keep the lease, the client downloads in full and stores with it.
    this.leaseToken = token
    return false
  }

  private subscribeToStore(onChange: () => void): () => Promise<void> {
    let stop: (() => Promise<void> | void) | undefined
    try {
      stop = this.store.subscribe!(onChange, {
        warn: (message) => this.log.warn('subscribe', message),
        unavailable: (reason) => {
          this.stats.notificationsUnavailable++
          this.log.warn('notifications-unavailable', reason)
        },
      })
    } catch (error) {
      this.log.warn('subscribe', `cannot subscribe to changes; polling only (${describeError(error)})`)
    }
    return async () => {
      try {
        await this.run(
          this.call(async () => stop?.()),
          'ending the change subscription'
        )
      } catch (error) {
        this.log.warn('subscribe', `could not end the change subscription (${describeError(error)})`)
      }
    }
  }

  /** A copy of this instance's counters. */
  getStats(): FlagDefinitionCacheProviderStats {
    return { ...this.stats }
  }

  private timing(): LeaseTiming {
    return { maxAgeMs: this.storedEntryRefused ? 0 : this.maxAgeMs, leaseMs: this.leaseMs }
  }

  private async release(token: string): Promise<void> {
    try {
      await this.run(
        this.call(() => this.store.releaseLease(token)),
        'releasing the fetch lease'
      )
      this.log.recovered('release')
    } catch (error) {
      this.failed('release', `could not release the fetch lease; it lapses by itself within ${this.leaseMs} ms`, error)
    }
  }

  /** A store method that throws synchronously or returns a non-promise is handled like one that rejects/resolves. */
  private call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return Promise.resolve(operation())
    } catch (error) {
      return Promise.reject(error)
    }
  }

  private run<T>(operation: Promise<T>, what: string): Promise<T> {
    return withTimeout(operation, this.timeoutMs, what)
  }

  private failed(kind: string, consequence: string, error: unknown): void {
    this.stats.errors++
    if (error instanceof TimeoutError) this.stats.timeouts++
    const detail = errorMessage(error)
    this.log.warn(kind, `${consequence} (${detail})`)
  }
}
