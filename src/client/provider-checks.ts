// Checks of the `flagDefinitionCacheProvider` option made once, at construction: mistakes that would otherwise
// show up as a stream of failures at every polling interval.
import type { FlagDefinitionCacheProvider } from '../contracts/provider'
import { missingMethods } from '../shared/missing-methods'

const METHODS = ['getFlagDefinitions', 'shouldFetchFlagDefinitions', 'onFlagDefinitionsReceived', 'shutdown'] as const

/**
 * Throws a TypeError naming what is expected when the option cannot be a provider at all: a class or function
 * passed without `new`, or a primitive.
 */
export function assertProvider(value: unknown): asserts value is object {
  if (typeof value === 'function') {
    const name = (value as { name?: unknown }).name
    const shown = typeof name === 'string' && name ? name : 'YourProvider'
    throw new TypeError(
      `[PostHog] flagDefinitionCacheProvider must be a provider object, got the class or function ${shown} itself: ` +
        `pass an instance, e.g. flagDefinitionCacheProvider: new ${shown}({ key: 'phc_your_project_key' }).`
    )
  }
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(
      `[PostHog] flagDefinitionCacheProvider must be an object with the methods ${METHODS.join(', ')}, ` +
        `got ${String(value)}.`
    )
  }
}

/**
 * A warning naming the methods an object provider lacks. Not thrown: upstream accepts such an object and reports each
 * failing call, and the client goes on without the cache the same way.
 */
export function missingMethodsWarning(provider: object): string | undefined {
  const missing = missingMethods(provider, METHODS)
  if (missing.length === 0) return undefined
  return (
    `[PostHog] flagDefinitionCacheProvider is missing ${missing.join(', ')}: a provider implements ` +
    `${METHODS.join(', ')}. Calls to the missing methods fail and the client goes on without the cache.`
  )
}

/**
 * A warning when the provider's `maxAgeMs` (the shipped providers expose it) is longer than the polling interval:
 * the shared copy is then refreshed only every `maxAgeMs`, so flag changes reach this process that much later.
 */
export function maxAgeWarning(provider: FlagDefinitionCacheProvider, pollingIntervalMs: number): string | undefined {
  const maxAgeMs = (provider as { maxAgeMs?: unknown }).maxAgeMs
  if (typeof maxAgeMs !== 'number' || !Number.isFinite(maxAgeMs) || maxAgeMs <= pollingIntervalMs) return undefined
  return (
    `[PostHog] flagDefinitionCacheProvider.maxAgeMs (${maxAgeMs} ms) is longer than featureFlagsPollingInterval ` +
    `(${pollingIntervalMs} ms): the shared definitions are refreshed only every ${maxAgeMs} ms, so a flag change ` +
    `can take up to ${maxAgeMs} ms instead of ${pollingIntervalMs} ms to reach this process. Set maxAgeMs equal to ` +
    `featureFlagsPollingInterval.`
  )
}
