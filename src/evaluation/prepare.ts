// Indexes a validated definition set once, when it arrives, so that evaluation only reads.
import { linkCohorts, prepareGroup } from './cohorts'
import type { FlagDefinitionCacheData } from '../experimental/provider'
import {
  COHORT,
  type PreparedCondition,
  type PreparedDefinitions,
  type PreparedFlag,
  type PreparedGroup,
} from './model'
import type { PreparedProperty } from './model'
import { prepareProperty } from './operators'
import { variantOutcome } from './result'
import type { PostHogFeatureFlag } from '../definitions/types'
import type { ValueOutcome } from './types'

const encoder = new TextEncoder()
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null
const own = (record: Record<string, unknown>, key: string): unknown =>
  Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined

function prepareFlag(
  source: PostHogFeatureFlag,
  groupTypeMapping: Record<string, string>,
  cohortProperties: PreparedProperty[]
): PreparedFlag {
  const raw = source as unknown as Record<string, unknown>
  const filters: Record<string, unknown> = isObject(raw.filters) ? raw.filters : {}

  const multivariate = filters.multivariate
  const variants: unknown[] =
    (isObject(multivariate) && Array.isArray(multivariate.variants) && multivariate.variants) || []
  // Variant table: consecutive [min, max) ranges, accumulated in this exact order so the float edges match.
  const variantMin = new Float64Array(variants.length)
  const variantMax = new Float64Array(variants.length)
  const variantOutcomes: ValueOutcome[] = []
  let min = 0
  for (let i = 0; i < variants.length; i++) {
    const variant = isObject(variants[i]) ? (variants[i] as Record<string, unknown>) : {}
    const max = min + (variant.rollout_percentage as number) / 100.0
    variantMin[i] = min
    variantMax[i] = max
    variantOutcomes.push(variantOutcome(variant.key))
    min = max
  }

  const groups: unknown[] = Array.isArray(filters.groups) ? filters.groups : []
  const conditions: PreparedCondition[] = groups.map((group) => {
    const condition: Record<string, unknown> = isObject(group) ? group : {}
    const properties = (Array.isArray(condition.properties) ? condition.properties : []).map((property: unknown) => {
      const prepared = prepareProperty(isObject(property) ? property : {}, false)
      if (prepared.kind === COHORT) cohortProperties.push(prepared)
      return prepared
    })
    const rollout = condition.rollout_percentage
    const override = condition.variant
    const overrideIndex = override ? variants.findIndex((variant) => isObject(variant) && variant.key === override) : -1
    return {
      properties,
      hasRollout: rollout != null,
      threshold: rollout != null ? (rollout as number) / 100.0 : 1,
      override: overrideIndex >= 0 ? variantOutcome(override) : null,
    }
  })

  const groupTypeIndex = filters.aggregation_group_type_index
  const groupName = groupTypeIndex != null ? own(groupTypeMapping, String(groupTypeIndex)) : undefined
  const payloads = filters.payloads
  const key = source.key
  return {
    key,
    source,
    continuity: !!raw.ensure_experience_continuity,
    active: !!raw.active,
    groupTypeIndex: groupTypeIndex ?? undefined,
    groupName: typeof groupName === 'string' ? groupName : '',
    conditions,
    variantMin,
    variantMax,
    variantOutcomes,
    hashPrefix: encoder.encode(`${key}.`),
    hashPrefixText: `${key}.`,
    payloads: isObject(payloads) ? payloads : null,
  }
}

/**
 * Indexes validated definitions (see `validateFlagDefinitions`) for evaluation: call once per received set.
 * Never throws for validated input; odd values inside are kept and answered at evaluation time.
 */
export function prepareDefinitions(data: FlagDefinitionCacheData): PreparedDefinitions {
  const cohortProperties: PreparedProperty[] = []
  const flagsByKey = new Map<string, PreparedFlag>()
  const keys: string[] = []
  for (const source of data.flags) {
    const flag = prepareFlag(source, data.groupTypeMapping, cohortProperties)
    if (!flagsByKey.has(flag.key)) keys.push(flag.key)
    flagsByKey.set(flag.key, flag)
  }
  const cohorts = new Map<string, PreparedGroup>()
  for (const id of Object.keys(data.cohorts)) cohorts.set(id, prepareGroup(data.cohorts[id], cohortProperties))
  linkCohorts(cohortProperties, cohorts)
  return {
    data,
    flagCount: data.flags.length,
    flagsByKey,
    flags: keys.map((key) => flagsByKey.get(key) as PreparedFlag),
    keys,
    cohorts,
  }
}
