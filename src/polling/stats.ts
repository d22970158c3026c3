import type { FlagDefinitionsStats } from '../contracts/stats'

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
