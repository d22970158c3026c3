// Definitions are checked once, where they enter the process (API response or cache read). Only the envelope is
// judged here, strictly: garbage there is refused and never replaces good definitions in memory. Everything below
// it (flags, conditions, properties, variants, cohorts) is judged per flag by the evaluator, so one odd part only
// makes the flags that use it inconclusive.
import type { FlagDefinitionCacheData } from '../contracts/provider'

export type ValidationResult = { ok: true; data: FlagDefinitionCacheData } | { ok: false; reason: string }

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const describe = (value: unknown): string => {
  if (value === null || value === undefined) return String(value)
  if (Array.isArray(value)) return 'an array'
  const type = typeof value
  return type === 'object' ? 'an object' : `a ${type}`
}

/**
 * Checks a value that claims to be {@link FlagDefinitionCacheData} (what a provider returns): an object with a
 * `flags` array and `groupTypeMapping` and `cohorts` objects. Returns the value itself when it is usable, or the
 * reason it is not.
 */
export function validateFlagDefinitions(value: unknown): ValidationResult {
  if (!isPlainObject(value)) return { ok: false, reason: `definitions are ${describe(value)}, expected an object` }
  const { flags, groupTypeMapping, cohorts } = value
  if (!Array.isArray(flags)) return { ok: false, reason: `flags is ${describe(flags)}, expected an array` }
  if (!isPlainObject(groupTypeMapping)) {
    return { ok: false, reason: `groupTypeMapping is ${describe(groupTypeMapping)}, expected an object` }
  }
  if (!isPlainObject(cohorts)) return { ok: false, reason: `cohorts is ${describe(cohorts)}, expected an object` }
  return { ok: true, data: value as unknown as FlagDefinitionCacheData }
}

/**
 * Turns a `local_evaluation` response body into {@link FlagDefinitionCacheData} (snake_case to camelCase, missing
 * mapping and cohorts defaulting to empty), then checks it. A body without a `flags` field is invalid. The flags
 * are handed on exactly as the API sent them.
 */
export function definitionsFromApiResponse(body: unknown): ValidationResult {
  if (!isPlainObject(body)) return { ok: false, reason: `response body is ${describe(body)}, expected an object` }
  if (!('flags' in body)) return { ok: false, reason: 'response body has no flags field' }
  return validateFlagDefinitions({
    flags: body.flags ?? [],
    groupTypeMapping: body.group_type_mapping || {},
    cohorts: body.cohorts || {},
  })
}
