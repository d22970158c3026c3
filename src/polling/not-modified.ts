// Conditional definitions requests: the ETag a process may send, and reading the one a response carries.
// The ETag sent is always the one of the definitions in memory, so a 304 never leaves a process without data.

/** Longer values are not ETags PostHog sends; a cache holding one is not trusted with it. */
export const MAX_ETAG_LENGTH = 512

/**
 * The value as an ETag a request may carry, or undefined: visible ASCII only (no line breaks a header could be split
 * on), bounded in length. Applied to response headers and to ETags read back from a cache alike.
 */
export function usableEtag(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ETAG_LENGTH) return undefined
  return /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(value) ? value : undefined
}

/** The response's ETag header; a custom fetch may return a response without headers. */
export function responseEtag(response: unknown): string | undefined {
  try {
    const headers = (response as { headers?: { get?: (name: string) => unknown } }).headers
    return typeof headers?.get === 'function' ? usableEtag(headers.get('ETag')) : undefined
  } catch {
    return undefined
  }
}

/** The etag stored with cached definitions, if it is usable. */
export function etagOf(data: unknown): string | undefined {
  return data && typeof data === 'object' ? usableEtag((data as { etag?: unknown }).etag) : undefined
}
