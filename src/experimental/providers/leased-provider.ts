import type { FlagDefinitionCacheData, FlagDefinitionCacheProvider } from '../../contracts/provider'
import type { FlagDefinitionCacheProviderStats } from './shared-cache'

/** What each shipped provider delegates to: the shared lease policy over its own store. */
interface LeasedCache {
  shouldFetchFlagDefinitions(): Promise<boolean>
  getFlagDefinitions(): Promise<FlagDefinitionCacheData | undefined>
  onFlagDefinitionsReceived(data: FlagDefinitionCacheData): Promise<void>
  shutdown(): Promise<void>
  getStats(): FlagDefinitionCacheProviderStats
}

/**
 * The provider methods the Redis, PostgreSQL and file providers share; each subclass only builds its store. The
 * policy object is held in an ES private field so that nothing internal appears in the public declarations.
 *
 * @experimental May change in a minor version.
 */
export abstract class LeasedFlagDefinitionCache implements FlagDefinitionCacheProvider {
  readonly #cache: LeasedCache

  protected constructor(cache: LeasedCache) {
    this.#cache = cache
  }

  /** True for exactly one process when the shared definitions are older than `maxAgeMs` (or absent): it fetches. */
  shouldFetchFlagDefinitions(): Promise<boolean> {
    return this.#cache.shouldFetchFlagDefinitions()
  }

  /** The shared definitions, even when older than `maxAgeMs`; undefined when there are none or they are unusable. */
  getFlagDefinitions(): Promise<FlagDefinitionCacheData | undefined> {
    return this.#cache.getFlagDefinitions()
  }

  /** Stores definitions this process fetched, then releases its lease if it still holds it. */
  onFlagDefinitionsReceived(data: FlagDefinitionCacheData): Promise<void> {
    return this.#cache.onFlagDefinitionsReceived(data)
  }

  /**
   * Releases a lease this instance holds. Never closes the client or pool it was given, never removes the directory
   * or the stored definitions.
   */
  shutdown(): Promise<void> {
    return this.#cache.shutdown()
  }

  /** A copy of this instance's counters. */
  getStats(): FlagDefinitionCacheProviderStats {
    return this.#cache.getStats()
  }
}
