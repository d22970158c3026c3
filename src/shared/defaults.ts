// Every default of the package (client and shared cache options) and the one rule for options given in milliseconds.
// Low level: imports nothing.

/** Node fires a timer above 2^31-1 ms (about 24.8 days) after ~1 ms, so no delay may exceed this. */
export const MAX_TIMER_MS = 2 ** 31 - 1

/** `featureFlagsPollingInterval` when none (or an unusable one) is given. */
export const DEFAULT_POLLING_INTERVAL_MS = 30_000
/** Polling faster than this would hammer the API. */
export const MIN_POLLING_INTERVAL_MS = 100
/** Timeout of one definitions request when `requestTimeout` is not set (core's default too). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000
/**
 * `flagDefinitionCacheProviderTimeoutMs`: the bound of one provider call, `shutdown()` included. A cache answers in
 * milliseconds; this is also the longest a first evaluation waits for a hung cache before the API is asked.
 */
export const DEFAULT_PROVIDER_TIMEOUT_MS = 3_000
/** `shutdown()` timeout when none is given (core's default too). */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000
/** Default of `waitForLocalEvaluationReady`. */
export const DEFAULT_WAIT_FOR_LOCAL_EVALUATION_MS = 30_000
/** Distinct ids remembered by the `$feature_flag_called` de-duplication (`maxCacheSize`). */
export const DEFAULT_MAX_CACHE_SIZE = 50_000
/** Longest interval the backoff after 401/403/429 grows to. */
export const BACKOFF_CAP_MS = 60_000
/** Longest a process with nothing loaded waits for another process's fetch to land in the cache. */
export const MAX_COLD_START_WAIT_MS = 3_000

// The shared flag definition cache (`posthog-node/experimental`): `SharedFlagDefinitionCacheOptions`.
/** `maxAgeMs`: the client's default polling interval, so a fleet fetches as often as one process would. */
export const DEFAULT_CACHE_MAX_AGE_MS = DEFAULT_POLLING_INTERVAL_MS
/** `leaseMs` (or `maxAgeMs` when that is smaller): how long a crashed fetcher blocks the others. */
export const DEFAULT_LEASE_MS = 10_000
/** `timeoutMs`: the bound of one store operation. */
export const DEFAULT_STORE_TIMEOUT_MS = 2_000
/** `maxEntryBytes`: 50 MiB, stored and after decompression. */
export const DEFAULT_MAX_ENTRY_BYTES = 50 * 1024 * 1024
/** Entries whose JSON is larger than this (64 KiB) are gzipped unless `compress` says otherwise. */
export const COMPRESS_ABOVE_BYTES = 64 * 1024

/**
 * A usable duration option: a finite number above zero, capped at {@link MAX_TIMER_MS} and raised to `min`;
 * undefined for anything else (NaN, Infinity, zero, negatives, strings from a mis-parsed environment variable).
 */
export function positiveMilliseconds(value: unknown, min = 0): number | undefined {
  if (!isPositiveNumber(value)) return undefined
  return Math.min(MAX_TIMER_MS, Math.max(min, value))
}

/**
 * The strict form, for options whose bad value is refused with an error: a finite number above zero and at most
 * {@link MAX_TIMER_MS}, rounded up to a whole millisecond; undefined for anything else (nothing is capped).
 */
export function timerMilliseconds(value: unknown): number | undefined {
  return isPositiveNumber(value) && value <= MAX_TIMER_MS ? Math.ceil(value) : undefined
}

function isPositiveNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0
}

/** What a timer can be given: NaN and negatives become 0, anything above {@link MAX_TIMER_MS} becomes it. */
export function timerDelay(ms: number): number {
  if (typeof ms !== 'number' || Number.isNaN(ms) || ms < 0) return 0
  return Math.min(MAX_TIMER_MS, ms)
}

/**
 * A client option in milliseconds: the default when it is not set, the value (capped and raised to `min`) when it is
 * usable, else the default with a warning naming the option, since polling every millisecond or never is never what
 * was meant.
 */
export function resolveMilliseconds(
  name: string,
  value: unknown,
  fallback: number,
  warn: (message: string) => void,
  min = 0
): number {
  if (value === undefined) return fallback
  const resolved = positiveMilliseconds(value, min)
  if (resolved !== undefined) return resolved
  const got = describeValue(value)
  warn(`[PostHog] ${name} must be a finite positive number of milliseconds, got ${got}; using ${fallback}.`)
  return fallback
}

function describeValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}
