// Client-level defaults and the validation of the options the client itself interprets (the rest belong to core).

/** Polling interval used when none (or an unusable one) is given. */
export const DEFAULT_POLLING_INTERVAL_MS = 30000
/** Polling faster than this would hammer the API. */
export const MINIMUM_POLLING_INTERVAL_MS = 100
/** setTimeout fires at once for larger delays, which would turn polling into a hot loop. */
export const MAXIMUM_POLLING_INTERVAL_MS = 2 ** 31 - 1
/** Distinct ids remembered by the `$feature_flag_called` de-duplication. */
export const DEFAULT_MAX_CACHE_SIZE = 50000
/** Default of `waitForLocalEvaluationReady`. */
export const DEFAULT_WAIT_FOR_LOCAL_EVALUATION_MS = 30000
/** Default timeout of one definitions request when `requestTimeout` is not set (core's default too). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10000
/**
 * Default bound of one provider call. A cache answers in milliseconds; a start-up read plus a shouldFetch both
 * hitting it is what a first evaluation may wait for a hung cache before falling back to the API.
 */
export const DEFAULT_PROVIDER_TIMEOUT_MS = 3000

/**
 * The polling interval to use: numbers are clamped to [100, 2^31-1]; anything that is not a finite positive
 * number (NaN, Infinity, 0, negatives, strings from a mis-parsed environment variable) falls back to the default
 * with a warning, since polling every millisecond or never is never what was meant.
 */
export function resolvePollingInterval(value: unknown, warn: (message: string) => void): number {
  if (value === undefined) {
    return DEFAULT_POLLING_INTERVAL_MS
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    warn(
      `[PostHog] featureFlagsPollingInterval must be a finite positive number of milliseconds, got ${describe(value)}; ` +
        `using ${DEFAULT_POLLING_INTERVAL_MS}.`
    )
    return DEFAULT_POLLING_INTERVAL_MS
  }
  return Math.min(Math.max(value, MINIMUM_POLLING_INTERVAL_MS), MAXIMUM_POLLING_INTERVAL_MS)
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

/** Project keys (`phc_`) are public; using one as the personal key is a configuration mistake worth failing on. */
export function assertPersonalApiKey(personalApiKey: string): void {
  if (personalApiKey.includes('phc_')) {
    throw new Error(
      'Your Personal API key is invalid. These keys are prefixed with "phx_" and can be created in PostHog project settings.'
    )
  }
}

/** How long one provider call may take: the option when it is a usable number, else the default (with a warning). */
export function resolveProviderTimeout(value: unknown, warn: (message: string) => void): number {
  if (value === undefined) {
    return DEFAULT_PROVIDER_TIMEOUT_MS
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    warn(
      `[PostHog] flagDefinitionCacheProviderTimeoutMs must be a finite positive number of milliseconds, got ` +
        `${describe(value)}; using ${DEFAULT_PROVIDER_TIMEOUT_MS}.`
    )
    return DEFAULT_PROVIDER_TIMEOUT_MS
  }
  return Math.min(value, MAXIMUM_POLLING_INTERVAL_MS)
}
