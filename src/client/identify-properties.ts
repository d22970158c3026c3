import type { JsonType } from '@posthog/core'

/**
 * The `$identify` payload: `$set` (or, without it, all the other properties) and `$set_once`.
 * `$set_once` is deleted from the caller's object, as upstream does (callers may observe it).
 */
export function identifyProperties(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form person properties, as IdentifyMessage
  properties: Record<string | number, any> | undefined
): { $set: JsonType; $set_once: JsonType } {
  const setOnce = properties?.$set_once
  delete properties?.$set_once
  return { $set: properties?.$set || properties, $set_once: setOnce }
}
