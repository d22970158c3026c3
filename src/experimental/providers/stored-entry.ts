// The one format every shipped provider stores: { schema version, fetchedAt, data }. A reader accepts only its own
// schema version and only data that passes validation, so a newer package version, another program writing to the
// same key, or a truncated write is a cache miss with a reason, never garbage in memory.
import { validateFlagDefinitions } from '../../definitions/validate'
import type { FlagDefinitionCacheData } from '../../contracts/provider'

/** Bump when the stored layout changes; readers treat any other version as a miss. */
export const STORED_SCHEMA_VERSION = 1

export interface StoredEntry {
  v: number
  /** When the definitions were stored, in ms since the epoch (by the store's clock where it has one). */
  fetchedAt: number
  data: FlagDefinitionCacheData
}

/** A decoded entry, or why it cannot be used. */
export type DecodeResult = { ok: true; data: FlagDefinitionCacheData } | { ok: false; reason: string }

/** Checks the schema version, then the data (a JSON string or an already parsed value). */
export function decodeStoredData(version: unknown, data: unknown): DecodeResult {
  const v = typeof version === 'string' && /^\d+$/.test(version) ? Number(version) : version
  if (v !== STORED_SCHEMA_VERSION) {
    return {
      ok: false,
      reason: `stored entry has schema version ${JSON.stringify(version)}, this package reads version ${STORED_SCHEMA_VERSION}`,
    }
  }
  let parsed = data
  if (typeof data === 'string') {
    try {
      parsed = JSON.parse(data)
    } catch (error) {
      return { ok: false, reason: `stored definitions are not valid JSON (${(error as Error).message})` }
    }
  }
  const result = validateFlagDefinitions(parsed)
  return result.ok ? result : { ok: false, reason: `stored definitions are invalid: ${result.reason}` }
}

/** Parses a whole entry serialised as one JSON document (the file provider's format). */
export function decodeStoredEntry(text: string): DecodeResult {
  let entry: unknown
  try {
    entry = JSON.parse(text)
  } catch (error) {
    return { ok: false, reason: `stored entry is not valid JSON (${(error as Error).message})` }
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    return { ok: false, reason: 'stored entry is not an object' }
  }
  const record = entry as Record<string, unknown>
  return decodeStoredData(record.v, record.data)
}

/** Serialises `v` and `fetchedAt` first: the file provider checks freshness from the first bytes alone. */
export function encodeStoredEntry(data: FlagDefinitionCacheData, fetchedAt: number): string {
  const entry: StoredEntry = { v: STORED_SCHEMA_VERSION, fetchedAt, data }
  return JSON.stringify(entry)
}
