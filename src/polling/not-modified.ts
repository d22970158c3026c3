// Conditional definitions requests: the ETag a process may send, and reading the one a response carries.
// The ETag sent is always the one of the definitions in memory, so a 304 never leaves a process without data.
import { usableEtag } from '../shared/etag'

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
