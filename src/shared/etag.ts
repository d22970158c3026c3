// The one rule for which ETags the package carries: in a request header, in memory, and in a shared cache entry.
// Low level: imports nothing.

/** Longer values are not ETags PostHog sends; a cache holding one is not trusted with it. */
export const MAX_ETAG_LENGTH = 512

/**
 * The value as an ETag a request may carry, or undefined: visible ASCII only (no line breaks a header could be split
 * on), bounded in length. Applied to response headers, to ETags read back from a cache and to ETags written to one.
 */
export function usableEtag(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ETAG_LENGTH) return undefined
  return /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(value) ? value : undefined
}
