import type { PostHogFeatureFlag, PropertyGroup } from './flag-definitions'

/**
 * Everything local evaluation needs, in the form the client keeps in memory and hands to a
 * {@link FlagDefinitionCacheProvider}.
 *
 * @experimental May change in a minor version.
 */
export interface FlagDefinitionCacheData {
  /** The flag definitions. */
  flags: PostHogFeatureFlag[]
  /** Group type index (as a string) to group type name, e.g. `{ "0": "company" }`. */
  groupTypeMapping: Record<string, string>
  /** Cohort id (as a string) to the cohort's property group. */
  cohorts: Record<string, PropertyGroup>
}

/**
 * Lets several processes share one copy of the flag definitions and decide which of them fetches from PostHog.
 *
 * Every method may return a value or a promise, and may throw: the client catches, logs and time-boxes each call,
 * so a failing cache never breaks flag evaluation.
 *
 * @experimental May change in a minor version.
 */
export interface FlagDefinitionCacheProvider {
  /**
   * Returns the shared definitions, or `undefined` when there are none. Called at start-up and on every refresh
   * where {@link FlagDefinitionCacheProvider.shouldFetchFlagDefinitions} said no.
   */
  getFlagDefinitions(): Promise<FlagDefinitionCacheData | undefined> | FlagDefinitionCacheData | undefined
  /**
   * Called on every refresh: `true` means this process fetches from the PostHog API (and then receives the result
   * through {@link FlagDefinitionCacheProvider.onFlagDefinitionsReceived}); `false` means it reads the cache.
   * Throwing counts as `true`.
   */
  shouldFetchFlagDefinitions(): Promise<boolean> | boolean
  /** Receives definitions this process fetched from the API, to store for the others. */
  onFlagDefinitionsReceived(data: FlagDefinitionCacheData): Promise<void> | void
  /** Called once by `client.shutdown()`, which waits for it (bounded by the shutdown timeout). */
  shutdown(): Promise<void> | void
}
