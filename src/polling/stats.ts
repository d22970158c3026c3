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

type Counter = Exclude<keyof FlagDefinitionsStats, 'lastLoadedAt' | 'lastLoadSource' | 'flagCount'>

/** The poller's mutable tally; {@link StatsRecorder.snapshot} hands out copies so callers cannot alter it. */
export class StatsRecorder {
  private readonly stats: FlagDefinitionsStats = {
    cacheHits: 0,
    cacheMisses: 0,
    cacheInvalid: 0,
    apiFetches: 0,
    apiFetchFailures: 0,
    notModified: 0,
    notificationsReceived: 0,
    notificationReloads: 0,
    providerErrors: 0,
    providerTimeouts: 0,
    lastLoadedAt: undefined,
    lastLoadSource: undefined,
    flagCount: 0,
  }

  count(counter: Counter): void {
    this.stats[counter] += 1
  }

  loaded(source: 'api' | 'cache', flagCount: number, at = Date.now()): void {
    this.stats.lastLoadedAt = at
    this.stats.lastLoadSource = source
    this.stats.flagCount = flagCount
  }

  /** The flags in memory changed without a successful load (a 402 cleared them). */
  flagCount(flagCount: number): void {
    this.stats.flagCount = flagCount
  }

  snapshot(): FlagDefinitionsStats {
    return { ...this.stats }
  }
}
