// The validation of the options the client itself interprets (the rest belong to core). Defaults live in
// shared/defaults.ts.
import {
  DEFAULT_POLLING_INTERVAL_MS,
  DEFAULT_PROVIDER_TIMEOUT_MS,
  MIN_POLLING_INTERVAL_MS,
  resolveMilliseconds,
} from '../shared/defaults'

/**
 * The polling interval to use: numbers are clamped to [100, 2^31-1]; anything that is not a finite positive
 * number falls back to the default with a warning.
 */
export function resolvePollingInterval(value: unknown, warn: (message: string) => void): number {
  return resolveMilliseconds(
    'featureFlagsPollingInterval',
    value,
    DEFAULT_POLLING_INTERVAL_MS,
    warn,
    MIN_POLLING_INTERVAL_MS
  )
}

/** How long one provider call may take: the option when it is a usable number, else the default (with a warning). */
export function resolveProviderTimeout(value: unknown, warn: (message: string) => void): number {
  return resolveMilliseconds('flagDefinitionCacheProviderTimeoutMs', value, DEFAULT_PROVIDER_TIMEOUT_MS, warn)
}

/** Project keys (`phc_`) are public; using one as the personal key is a configuration mistake worth failing on. */
export function assertPersonalApiKey(personalApiKey: string): void {
  if (personalApiKey.includes('phc_')) {
    throw new Error(
      'Your Personal API key is invalid. These keys are prefixed with "phx_" and can be created in PostHog project settings.'
    )
  }
}
