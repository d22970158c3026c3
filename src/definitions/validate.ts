// Definitions are checked once, where they enter the process (API response or cache read), so that the evaluator
// can rely on their shape and garbage can never replace good definitions in memory.
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

function checkProperties(properties: unknown, where: string): string | undefined {
  if (properties === undefined || properties === null) return undefined
  if (!Array.isArray(properties)) return `${where}.properties is ${describe(properties)}, expected an array`
  for (let i = 0; i < properties.length; i++) {
    const property: unknown = properties[i]
    if (!isPlainObject(property)) return `${where}.properties[${i}] is ${describe(property)}, expected an object`
    if (typeof property.key !== 'string') return `${where}.properties[${i}].key is not a string`
  }
  return undefined
}

function checkPropertyGroup(group: unknown, where: string, depth: number): string | undefined {
  if (depth > 64) return `${where} nests deeper than 64 levels`
  if (!isPlainObject(group)) return `${where} is ${describe(group)}, expected an object`
  const values = group.values
  if (values === undefined || values === null) return undefined
  if (!Array.isArray(values)) return `${where}.values is ${describe(values)}, expected an array`
  for (let i = 0; i < values.length; i++) {
    const child: unknown = values[i]
    if (!isPlainObject(child)) return `${where}.values[${i}] is ${describe(child)}, expected an object`
    if ('values' in child) {
      const problem = checkPropertyGroup(child, `${where}.values[${i}]`, depth + 1)
      if (problem) return problem
    } else if (typeof child.key !== 'string') {
      return `${where}.values[${i}].key is not a string`
    }
  }
  return undefined
}

function checkFlag(flag: unknown, index: number): string | undefined {
  const where = `flags[${index}]`
  if (!isPlainObject(flag)) return `${where} is ${describe(flag)}, expected an object`
  if (typeof flag.key !== 'string') return `${where}.key is ${describe(flag.key)}, expected a string`
  // Stored definitions always carry `filters` (definitionsFromApiResponse fills it in), so a flag without it is not
  // something this package wrote: reject the set rather than guess.
  if (!('filters' in flag)) return `${where} (${flag.key}) has no filters`
  const filters = flag.filters
  if (filters === undefined || filters === null) return undefined
  if (!isPlainObject(filters)) return `${where}.filters is ${describe(filters)}, expected an object`
  const groups = filters.groups
  if (groups !== undefined && groups !== null) {
    if (!Array.isArray(groups)) return `${where}.filters.groups is ${describe(groups)}, expected an array`
    for (let i = 0; i < groups.length; i++) {
      const condition: unknown = groups[i]
      if (!isPlainObject(condition))
        return `${where}.filters.groups[${i}] is ${describe(condition)}, expected an object`
      const problem = checkProperties(condition.properties, `${where}.filters.groups[${i}]`)
      if (problem) return problem
    }
  }
  const multivariate = filters.multivariate
  if (multivariate !== undefined && multivariate !== null) {
    if (!isPlainObject(multivariate)) return `${where}.filters.multivariate is ${describe(multivariate)}`
    const variants = multivariate.variants
    if (variants !== undefined && variants !== null) {
      if (!Array.isArray(variants)) return `${where}.filters.multivariate.variants is not an array`
      for (let i = 0; i < variants.length; i++) {
        if (!isPlainObject(variants[i])) return `${where}.filters.multivariate.variants[${i}] is not an object`
      }
    }
  }
  const payloads = filters.payloads
  if (payloads !== undefined && payloads !== null && !isPlainObject(payloads)) {
    return `${where}.filters.payloads is ${describe(payloads)}, expected an object`
  }
  return undefined
}

/**
 * Checks a value that claims to be {@link FlagDefinitionCacheData} (what a provider returns). Returns the value
 * itself when it is usable, or the first reason it is not.
 */
export function validateFlagDefinitions(value: unknown): ValidationResult {
  if (!isPlainObject(value)) return { ok: false, reason: `definitions are ${describe(value)}, expected an object` }
  const { flags, groupTypeMapping, cohorts } = value
  if (!Array.isArray(flags)) return { ok: false, reason: `flags is ${describe(flags)}, expected an array` }
  for (let i = 0; i < flags.length; i++) {
    const problem = checkFlag(flags[i], i)
    if (problem) return { ok: false, reason: problem }
  }
  if (!isPlainObject(groupTypeMapping)) {
    return { ok: false, reason: `groupTypeMapping is ${describe(groupTypeMapping)}, expected an object` }
  }
  for (const [index, name] of Object.entries(groupTypeMapping)) {
    if (typeof name !== 'string') return { ok: false, reason: `groupTypeMapping["${index}"] is not a string` }
  }
  if (!isPlainObject(cohorts)) return { ok: false, reason: `cohorts is ${describe(cohorts)}, expected an object` }
  for (const [id, group] of Object.entries(cohorts)) {
    const problem = checkPropertyGroup(group, `cohorts["${id}"]`, 0)
    if (problem) return { ok: false, reason: problem }
  }
  return { ok: true, data: value as unknown as FlagDefinitionCacheData }
}

/**
 * Turns a `local_evaluation` response body into {@link FlagDefinitionCacheData} (snake_case to camelCase, missing
 * mapping and cohorts defaulting to empty), then validates it. A body without a `flags` field is invalid.
 */
export function definitionsFromApiResponse(body: unknown): ValidationResult {
  if (!isPlainObject(body)) return { ok: false, reason: `response body is ${describe(body)}, expected an object` }
  if (!('flags' in body)) return { ok: false, reason: 'response body has no flags field' }
  const flags = body.flags ?? []
  return validateFlagDefinitions({
    // The API may omit `filters` on a flag without conditions (it evaluates to false, as upstream treats it). Filled
    // in here so that what providers store passes the stricter check applied to cached data.
    flags: Array.isArray(flags)
      ? flags.map((flag: unknown) => (isPlainObject(flag) && !('filters' in flag) ? { ...flag, filters: null } : flag))
      : flags,
    groupTypeMapping: body.group_type_mapping || {},
    cohorts: body.cohorts || {},
  })
}
