// Local payloads: the payload stored for `true` or for the variant, parsed when it is JSON text.
import type { PreparedDefinitions } from './model'
import type { FeatureFlagValue, JsonType } from './types'

/**
 * The payload of flag `key` for `value` (computed or supplied by the caller); null for false, null or undefined
 * values, unknown keys and missing or falsy payloads. Never throws.
 */
export function flagPayload(
  defs: PreparedDefinitions,
  key: string,
  value: FeatureFlagValue | null | undefined
): JsonType | null {
  if (value === false || value == null) return null
  const payloads = defs.flagsByKey.get(key)?.payloads
  if (!payloads) return null
  let stored: unknown
  if (typeof value === 'boolean') stored = ownValue(payloads, 'true')
  else if (typeof value === 'string') stored = ownValue(payloads, value)
  if (!stored) return null
  if (typeof stored === 'string') {
    // Parsed per call: callers get their own copy of object payloads, as they did upstream.
    try {
      return JSON.parse(stored) as JsonType
    } catch {
      return stored
    }
  }
  return stored as JsonType
}

const ownValue = (record: Readonly<Record<string, unknown>>, key: string): unknown =>
  Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined
