// The policy all shipped providers share; each store only supplies the four atomic operations of a LeaseStore.
// Keeping the policy in one place is what makes the three providers behave the same: fail fast, fall back to
// fetching, never throw, never store or return invalid data, release only one's own lease.
import { validateFlagDefinitions } from '../../definitions/validate'
import type { FlagDefinitionCacheData, FlagDefinitionCacheProvider } from '../../contracts/provider'
import { newLeaseToken } from './lease-token'
import { ProviderLog } from './logger'
import type { ResolvedSharedOptions } from './options'
import { type DecodeResult } from './stored-entry'
import { StoreTimeoutError, withTimeout } from './timeout'

/** What one attempt to take the lease found. */
export type LeaseOutcome = 'taken' | 'fresh' | 'busy'

/** What one read found: nothing stored, or the decoded entry (valid, or the reason it is not). */
export type ReadOutcome = { found: false } | ({ found: true } & DecodeResult)

/**
 * Counters of one provider instance, for dashboards and tests.
 *
 * @experimental May change in a minor version.
 */
export interface FlagDefinitionCacheProviderStats {
  /** `shouldFetchFlagDefinitions()` calls that took the lease (this process fetched). */
  leasesTaken: number
  /** Calls that found the shared definitions younger than `maxAgeMs`. */
  fresh: number
  /** Calls that found the definitions stale but the lease held by another process (or another client of this one). */
  busy: number
  /** Reads that returned valid definitions. */
  hits: number
  /** Reads that found nothing stored. */
  misses: number
  /** Reads that found something unusable (unknown schema version, invalid data, refused file). */
  invalid: number
  /** Definitions stored. */
  writes: number
  /** Store operations that failed or timed out (each one fell back safely). */
  errors: number
  /** Of those, the ones that timed out. */
  timeouts: number
}

/** The four atomic operations a store supplies. */
export interface LeaseStore {
  /** Atomically: 'fresh' if the stored definitions are younger than maxAgeMs, else take the lease with this token if it is missing or expired. */
  tryTakeLease(token: string): Promise<LeaseOutcome>
  /** Reads and decodes the stored entry. */
  readEntry(): Promise<ReadOutcome>
  /** Atomically replaces the stored entry (stamping fetchedAt), then releases the lease if `token` still owns it. */
  writeEntry(data: FlagDefinitionCacheData, token: string | undefined): Promise<void>
  /** Releases the lease only if `token` still owns it. */
  releaseLease(token: string): Promise<void>
}

/**
 * The provider behaviour on top of a {@link LeaseStore}. Every store operation is bounded by `timeoutMs`; a failure
 * or timeout is logged and counted, and falls back safely: `shouldFetchFlagDefinitions()` says true (this process
 * fetches for itself), `getFlagDefinitions()` says undefined. No method ever throws.
 */
export class LeasedDefinitionsCache implements FlagDefinitionCacheProvider {
  private readonly log: ProviderLog
  /**
   * The token of the lease this instance holds, if any. The lease belongs to the provider instance, not to a call:
   * while it is held, a further `shouldFetchFlagDefinitions()` (a retry after a failed fetch, or another client
   * sharing this instance) answers false like for anyone else, so one lease never means two fetches.
   */
  private leaseToken: string | undefined
  private readonly stats: FlagDefinitionCacheProviderStats = {
    leasesTaken: 0,
    fresh: 0,
    busy: 0,
    hits: 0,
    misses: 0,
    invalid: 0,
    writes: 0,
    errors: 0,
    timeouts: 0,
  }

  constructor(
    providerName: string,
    private readonly options: ResolvedSharedOptions,
    private readonly store: LeaseStore
  ) {
    this.log = new ProviderLog(providerName, options.logger)
  }

  async shouldFetchFlagDefinitions(): Promise<boolean> {
    const token = newLeaseToken()
    let outcome: LeaseOutcome
    const attempt = this.store.tryTakeLease(token)
    try {
      outcome = await this.run(attempt, 'taking the fetch lease')
    } catch (error) {
      this.failed('could not reach the store to coordinate; this process fetches from the API itself', error)
      // A timed-out attempt may still take the lease later; nobody would hold it, so every other process would be
      // told "busy" until it lapsed. Give it back as soon as it lands.
      if (error instanceof StoreTimeoutError) {
        attempt.then(
          (late) => (late === 'taken' ? this.release(token) : undefined),
          () => undefined
        )
      }
      return true
    }
    this.log.recovered()
    if (outcome === 'taken') {
      this.leaseToken = token
      this.stats.leasesTaken++
      this.log.debug('took the fetch lease')
      return true
    }
    this.stats[outcome]++
    return false
  }

  async getFlagDefinitions(): Promise<FlagDefinitionCacheData | undefined> {
    let outcome: ReadOutcome
    try {
      outcome = await this.run(this.store.readEntry(), 'reading the stored definitions')
    } catch (error) {
      this.failed('could not read the stored definitions; treating it as a cache miss', error)
      return undefined
    }
    if (!outcome.found) {
      this.stats.misses++
      return undefined
    }
    if (!outcome.ok) {
      this.stats.invalid++
      this.log.warn(`ignoring the stored definitions for this key: ${outcome.reason}`)
      return undefined
    }
    this.log.recovered()
    this.stats.hits++
    return outcome.data
  }

  async onFlagDefinitionsReceived(data: FlagDefinitionCacheData): Promise<void> {
    const token = this.leaseToken
    this.leaseToken = undefined
    const valid = validateFlagDefinitions(data)
    if (!valid.ok) {
      this.log.warn(`not storing definitions that fail validation: ${valid.reason}`)
      if (token) await this.release(token)
      return
    }
    try {
      await this.run(this.store.writeEntry(valid.data, token), 'storing the definitions')
      this.stats.writes++
      this.log.debug(`stored ${valid.data.flags.length} flag definitions`)
    } catch (error) {
      this.failed('could not store the definitions; other processes keep their current ones', error)
      // The lease lapses by itself after leaseMs if this release cannot reach the store either.
      if (token) await this.release(token)
    }
  }

  async shutdown(): Promise<void> {
    const token = this.leaseToken
    this.leaseToken = undefined
    if (token) await this.release(token)
  }

  getStats(): FlagDefinitionCacheProviderStats {
    return { ...this.stats }
  }

  private async release(token: string): Promise<void> {
    try {
      await this.run(this.store.releaseLease(token), 'releasing the fetch lease')
    } catch (error) {
      this.failed(`could not release the fetch lease; it lapses by itself within ${this.options.leaseMs} ms`, error)
    }
  }

  private run<T>(operation: Promise<T>, what: string): Promise<T> {
    return withTimeout(operation, this.options.timeoutMs, what)
  }

  private failed(consequence: string, error: unknown): void {
    this.stats.errors++
    if (error instanceof StoreTimeoutError) this.stats.timeouts++
    const detail = error instanceof Error ? error.message : String(error)
    this.log.warn(`${consequence} (${detail})`)
  }
}
