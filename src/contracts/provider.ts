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
  /**
   * The `ETag` of the API response these definitions came from, when PostHog sent one. A provider that stores and
   * returns it with the rest (serialising the whole object does) lets the fleet ask PostHog "changed since?" instead
   * of downloading everything; see {@link FlagDefinitionCacheProvider.onFlagDefinitionsNotModified}.
   */
  etag?: string
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
  /**
   * Optional: lets the fleet share one ETag. With it, a process told to fetch sends the `etag` of the definitions it
   * holds as `If-None-Match`, and when PostHog answers `304 Not Modified` the client calls this instead of
   * {@link FlagDefinitionCacheProvider.onFlagDefinitionsReceived}: mark the stored entry fresh again (its data and
   * ETag unchanged, no change notification) if it still holds `etag`, and release the lease. Return `false` when the
   * stored entry holds something else: the client then downloads the definitions in full and hands them over with
   * `onFlagDefinitionsReceived`. Without this method every fetch is a full download, as before.
   */
  onFlagDefinitionsNotModified?(etag: string): Promise<boolean | void> | boolean | void
  /**
   * Optional: push instead of waiting for the next poll. Call `onChange` whenever another process stored new
   * definitions (calling it too often is harmless: a burst costs one cache read, and a notification never causes an
   * API request). Return a function that ends the subscription; the client calls it at shutdown, before
   * {@link FlagDefinitionCacheProvider.shutdown}. Without this method processes see new definitions at their next poll.
   */
  subscribe?(onChange: () => void): (() => Promise<void> | void) | void
}
