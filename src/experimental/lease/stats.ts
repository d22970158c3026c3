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
  /** Reads that found something unusable (unknown schema version, wrong HMAC tag, too large, invalid data, refused file). */
  invalid: number
  /** Definitions written to the store. */
  writes: number
  /** Store operations that failed or timed out (each one fell back safely). */
  errors: number
  /** Of those, the ones that timed out. */
  timeouts: number
  /** 304s that marked the stored entry fresh without rewriting it. */
  markedFresh: number
  /** Times change notifications turned out not to work here (e.g. behind a transaction-mode pooler): polling only. */
  notificationsUnavailable: number
}

export const emptyStats = (): FlagDefinitionCacheProviderStats => ({
  leasesTaken: 0,
  fresh: 0,
  busy: 0,
  hits: 0,
  misses: 0,
  invalid: 0,
  writes: 0,
  errors: 0,
  timeouts: 0,
  markedFresh: 0,
  notificationsUnavailable: 0,
})
