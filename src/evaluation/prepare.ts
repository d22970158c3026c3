// Indexes a validated definition set once, when it arrives, so that evaluation only reads.
import type { FlagDefinitionCacheData } from '../contracts/provider'
import { linkCohorts, prepareGroup } from './cohorts'
import {
  COHORT,
  type PreparedCondition,
  type PreparedDefinitions,
  type PreparedFlag,
  type PreparedGroup,
  type PreparedProperty,
} from './model'
import { canonical } from './canonical'
import { prepareProperty } from './operators'
import { TRUE_OUTCOME, variantOutcome } from './result'
import type { ValueOutcome } from './types'

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null
const NO_PROPERTIES: readonly PreparedProperty[] = Object.freeze([])

/**
 * What one definition set shares while it is indexed: identical properties, conditions, condition lists and variant
 * tables (by canonical text) are indexed once and shared, which keeps the index smaller than the raw JSON.
 */
interface Indexing {
  groupTypeMapping: Record<string, string>
  /** Cohort properties, to link once every cohort is indexed. */
  cohortProperties: PreparedProperty[]
  /** One outcome object per distinct variant value across the set. */
  outcomes: Map<unknown, ValueOutcome>
  properties: Map<string, PreparedProperty>
  conditions: Map<string, PreparedCondition>
  conditionLists: Map<string, readonly PreparedCondition[]>
  conditionIds: Map<PreparedCondition, number>
  variantTables: Map<string, { bounds: number[]; outcomes: ValueOutcome[] }>
}

/** Looks `key` up in `shared`, building and remembering the value on a miss; no sharing when key is undefined. */
function shared<T>(map: Map<string, T>, key: string | undefined, build: () => T): T {
  if (key === undefined) return build()
  let value = map.get(key)
  if (value === undefined) {
    value = build()
    map.set(key, value)
  }
  return value
}

/** The fields of a property the evaluator reads, as one canonical text (undefined: not shareable). */
function propertyKey(raw: Record<string, unknown>, inCohort: boolean): string | undefined {
  const parts = [raw.type, raw.key, raw.operator, raw.value].map((part) => canonical(part))
  const chain = 'dependency_chain' in raw ? canonical(raw.dependency_chain) : '-'
  if (chain === undefined || parts.includes(undefined)) return undefined
  return `${inCohort ? 'c' : 'f'}|${parts.join('|')}|${chain}`
}

/** Indexes a property, sharing it with identical ones of the same set (`key`: its {@link propertyKey}). */
function sharedProperty(
  indexing: Indexing,
  raw: Record<string, unknown>,
  inCohort: boolean,
  key = propertyKey(raw, inCohort)
): PreparedProperty {
  const existing = key === undefined ? undefined : indexing.properties.get(key)
  if (existing !== undefined) return existing
  const property = prepareProperty(raw, inCohort)
  if (property.op === COHORT) indexing.cohortProperties.push(property)
  if (key !== undefined) indexing.properties.set(key, property)
  return property
}

function outcomeFor(indexing: Indexing, variantKey: unknown): ValueOutcome {
  if (!variantKey) return TRUE_OUTCOME
  let outcome = indexing.outcomes.get(variantKey)
  if (outcome === undefined) {
    outcome = variantOutcome(variantKey)
    indexing.outcomes.set(variantKey, outcome)
  }
  return outcome
}

function prepareCondition(indexing: Indexing, raw: unknown, variants: unknown[]): PreparedCondition {
  const condition: Record<string, unknown> = isObject(raw) ? raw : {}
  const rawProperties: unknown[] = Array.isArray(condition.properties) ? condition.properties : []
  const propertyKeys: (string | undefined)[] = []
  const properties =
    rawProperties.length === 0
      ? NO_PROPERTIES
      : rawProperties.map((entry) => {
          const property = isObject(entry) ? entry : {}
          const key = propertyKey(property, false)
          propertyKeys.push(key)
          return sharedProperty(indexing, property, false, key)
        })
  const rollout = condition.rollout_percentage
  const override = condition.variant
  const valid = !!override && variants.some((variant) => isObject(variant) && variant.key === override)
  const rolloutKey = canonical(rollout)
  const overrideKey = valid ? canonical(override) : '-'
  const key =
    rolloutKey === undefined || overrideKey === undefined || propertyKeys.includes(undefined)
      ? undefined
      : `${propertyKeys.join('\u0001')}\u0002${rolloutKey}\u0002${overrideKey}`
  return shared(indexing.conditions, key, () => ({
    properties,
    // No rollout is "everyone": no hash is above Infinity, so the check needs no special case.
    threshold: rollout != null ? (rollout as number) / 100.0 : Infinity,
    override: valid ? outcomeFor(indexing, override) : null,
  }))
}

/** A number naming one condition object (shared conditions have one id). */
function conditionId(indexing: Indexing, condition: PreparedCondition): number {
  let id = indexing.conditionIds.get(condition)
  if (id === undefined) {
    id = indexing.conditionIds.size
    indexing.conditionIds.set(condition, id)
  }
  return id
}

function prepareFlag(indexing: Indexing, raw: Record<string, unknown>): PreparedFlag {
  const filters: Record<string, unknown> = isObject(raw.filters) ? raw.filters : {}
  const multivariate = filters.multivariate
  const variants: unknown[] =
    (isObject(multivariate) && Array.isArray(multivariate.variants) && multivariate.variants) || []

  // Variant table: consecutive [min, max) ranges, accumulated in this exact order so the float edges match.
  const table =
    variants.length === 0
      ? null
      : shared(indexing.variantTables, canonical(variants), () => {
          const bounds: number[] = []
          const outcomes: ValueOutcome[] = []
          let min = 0
          for (const entry of variants) {
            const variant: Record<string, unknown> = isObject(entry) ? entry : {}
            const max = min + (variant.rollout_percentage as number) / 100.0
            bounds.push(min, max)
            outcomes.push(outcomeFor(indexing, variant.key))
            min = max
          }
          return { bounds, outcomes }
        })

  const groups: unknown[] = Array.isArray(filters.groups) ? filters.groups : []
  const conditions = groups.map((condition) => prepareCondition(indexing, condition, variants))
  // Identical condition lists (e.g. "everyone, 100%") are shared as well; conditions are shared objects already, so
  // their identities make the key.
  const conditionIds = conditions.map((condition) => conditionId(indexing, condition)).join(',')
  const index = filters.aggregation_group_type_index
  let groupName: string | null = null
  if (index != null) {
    const mapping = indexing.groupTypeMapping
    const name = Object.prototype.hasOwnProperty.call(mapping, String(index)) ? mapping[String(index)] : undefined
    groupName = typeof name === 'string' ? name : ''
  }
  const payloads = filters.payloads
  return {
    key: raw.key as string,
    active: !!raw.active,
    continuity: !!raw.ensure_experience_continuity,
    groupName,
    dependencyScope: groupName === null ? '' : `\u0000${groupName}\u0000`,
    conditions: shared(indexing.conditionLists, conditionIds, () => conditions),
    variantBounds: table && table.bounds,
    variantOutcomes: table && table.outcomes,
    payloads: isObject(payloads) && Object.keys(payloads).length > 0 ? payloads : null,
  }
}

/**
 * Indexes validated definitions (see `validateFlagDefinitions`) for evaluation: call once per received set.
 * Never throws for validated input; odd values inside are kept and answered at evaluation time. The returned
 * index does not reference the given flag objects (payload maps excepted), so the raw set can be dropped.
 */
export function prepareDefinitions(data: FlagDefinitionCacheData): PreparedDefinitions {
  const indexing: Indexing = {
    groupTypeMapping: data.groupTypeMapping,
    cohortProperties: [],
    outcomes: new Map(),
    properties: new Map(),
    conditions: new Map(),
    conditionLists: new Map(),
    conditionIds: new Map(),
    variantTables: new Map(),
  }
  const flagsByKey = new Map<string, PreparedFlag>()
  const keys: string[] = []
  for (const source of data.flags) {
    const flag = prepareFlag(indexing, source as unknown as Record<string, unknown>)
    if (!flagsByKey.has(flag.key)) keys.push(flag.key)
    flagsByKey.set(flag.key, flag)
  }
  const cohorts = new Map<string, PreparedGroup>()
  for (const id of Object.keys(data.cohorts)) {
    cohorts.set(
      id,
      prepareGroup(data.cohorts[id], (raw) => sharedProperty(indexing, raw, true))
    )
  }
  linkCohorts(indexing.cohortProperties, cohorts)
  return { flagCount: data.flags.length, flagsByKey, keys }
}
