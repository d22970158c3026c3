// What `getFlagDefinitionsStats()` returns: public, and read by the poller that keeps the counts.

/**
 * Counters of where this client's flag definitions came from, for dashboards and alerts.
 *
 * @experimental May change in a minor version.
 */
export interface FlagDefinitionsStats {
  /** Cache reads that returned valid definitions. */
  cacheHits: number
  /** Cache reads that returned nothing. */
  cacheMisses: number
  /** Cache reads whose data failed validation (counted apart from misses). */
  cacheInvalid: number
  /** Definitions requests sent to the PostHog API. */
  apiFetches: number
  /** Definitions requests that failed (network, timeout, non-200, invalid body). */
  apiFetchFailures: number
  /** Definitions requests answered `304 Not Modified`: the ETag sent matched, nothing was downloaded. */
  notModified: number
  /** Change notifications heard from the provider (see `FlagDefinitionCacheProvider.subscribe`). */
  notificationsReceived: number
  /** Cache reads after a notification that replaced the definitions in memory (a burst of notifications is one read). */
  notificationReloads: number
  /** Provider calls that threw or rejected. */
  providerErrors: number
  /** Provider calls that did not settle within the provider timeout. */
  providerTimeouts: number
  /** When definitions were last replaced in memory (ms since epoch), or undefined before the first load. */
  lastLoadedAt: number | undefined
  /** Where the definitions in memory came from. */
  lastLoadSource: 'api' | 'cache' | undefined
  /** Flags in memory now. */
  flagCount: number
}
