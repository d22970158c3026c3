// Indexes a definition set once, when it arrives, so that evaluation only reads. Each flag, condition, property,
// variant and cohort is indexed on its own; an odd part becomes a node that answers for the flags using it only.
import type { FlagDefinitionCacheData } from '../contracts/provider'
import { isObject } from '../shared/is-object'
import { canonical } from './canonical'
import { prepareGroup } from './cohorts'
import type {
  Aggregation,
  ConditionTarget,
  ConditionValue,
  PreparedCondition,
  PreparedDefinitions,
  PreparedFlag,
  PreparedGroup,
  PreparedProperty,
  VariantTable,
} from './model'
import { prepareValueProperty } from './operators'
import { variantOutcome } from './result'
import type { ValueOutcome } from './types'

const EMPTY: Record<string, unknown> = Object.freeze({})
const NO_PROPERTIES: readonly PreparedProperty[] = Object.freeze([])
const INHERIT: ConditionTarget = Object.freeze({ kind: 'inherit' })
const SKIP: ConditionTarget = Object.freeze({ kind: 'skip' })
const HASHED_VARIANT: ConditionValue = Object.freeze({ kind: 'variant' })
const NO_VARIANTS: VariantTable = Object.freeze({ kind: 'none' })
const BY_DISTINCT_ID: Aggregation = Object.freeze({ kind: 'person', byDevice: false })
const BY_DEVICE: Aggregation = Object.freeze({ kind: 'person', byDevice: true })
const UNKNOWN_GROUP: Aggregation = Object.freeze({ kind: 'unknown_group' })

/** A field read the way upstream's reads behave: primitives have no fields, null and undefined fail. */
const fieldsOf = (value: unknown): Record<string, unknown> => (isObject(value) ? value : EMPTY)

/** What one definition set shares while it is indexed: identical parts (by canonical text) are indexed once. */
interface Indexing {
  groupTypeMapping: Record<string, unknown>
  /** One outcome object per distinct variant value across the set. */
  outcomes: Map<unknown, ValueOutcome>
  properties: Map<string, PreparedProperty>
  conditions: Map<string, PreparedCondition>
  conditionLists: Map<string, readonly PreparedCondition[]>
  conditionIds: Map<PreparedCondition, number>
  variantTables: Map<string, VariantTable>
  aggregations: Map<string, Aggregation>
}

/** Looks `key` up in `map`, building and remembering the value on a miss; no sharing when key is undefined. */
function shared<T>(map: Map<string, T>, key: string | undefined, build: () => T): T {
  if (key === undefined) return build()
  let value = map.get(key)
  if (value === undefined) {
    value = build()
    map.set(key, value)
  }
  return value
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

function outcomeFor(indexing: Indexing, variantKey: unknown): ValueOutcome {
  let outcome = indexing.outcomes.get(variantKey)
  if (outcome === undefined) {
    outcome = variantOutcome(variantKey)
    indexing.outcomes.set(variantKey, outcome)
  }
  return outcome
}

/** The fields of a property the evaluator reads, as one canonical text (undefined: not shareable). */
function propertyKey(raw: Record<string, unknown>): string | undefined {
  const parts = [raw.type, raw.key, raw.operator, raw.value].map((part) => canonical(part))
  const chain = 'dependency_chain' in raw ? canonical(raw.dependency_chain) : '-'
  if (chain === undefined || parts.includes(undefined)) return undefined
  return `${parts.join('|')}|${chain}`
}

function prepareDependency(raw: Record<string, unknown>): PreparedProperty {
  const target = String(raw.key)
  const chain = raw.dependency_chain
  let problem = ''
  if (!('dependency_chain' in raw)) {
    problem = `Flag dependency property for '${target}' is missing required 'dependency_chain' field`
  } else if (!Array.isArray(chain)) {
    problem = `Flag dependency property for '${target}' has an invalid 'dependency_chain' (expected array, got ${typeof chain})`
  } else if (chain.length === 0) {
    problem = `Circular dependency detected for flag '${target}' (empty dependency chain)`
  }
  return {
    kind: 'dependency',
    target,
    chain: problem === '' ? (chain as unknown[]).map((key) => String(key)) : [],
    expected: raw.value,
    problem,
  }
}

function buildProperty(raw: Record<string, unknown>): PreparedProperty {
  try {
    const type = raw.type
    if (type === 'cohort') return { kind: 'cohort', cohortId: String(raw.value), notIn: raw.operator === 'not_in' }
    if (type === 'flag') return prepareDependency(raw)
    return prepareValueProperty(raw)
  } catch (error) {
    // Only values that are not JSON get here (a toString that throws): failing where upstream's read failed.
    return { kind: 'broken', error }
  }
}

/** Indexes one property (of a condition or a cohort), sharing it with identical ones of the set. */
function prepareProperty(indexing: Indexing, raw: unknown): PreparedProperty {
  if (raw === null || raw === undefined) {
    return { kind: 'broken', error: new TypeError(`Cannot read properties of ${String(raw)} (reading 'type')`) }
  }
  const fields = fieldsOf(raw)
  const key = propertyKey(fields)
  if (key === undefined) return buildProperty(fields)
  let property = indexing.properties.get(key)
  if (property === undefined) {
    property = buildProperty(fields)
    indexing.properties.set(key, property)
  }
  return property
}

/** Items of a list as upstream iterates it: arrays, strings (by character); null when it cannot be iterated. */
function itemsOf(list: unknown): readonly unknown[] | null {
  if (Array.isArray(list)) return list
  if (typeof list === 'string') return [...list]
  return null
}

function groupName(indexing: Indexing, index: unknown): string | null {
  const mapping = indexing.groupTypeMapping
  const key = String(index)
  const name = Object.prototype.hasOwnProperty.call(mapping, key) ? mapping[key] : undefined
  return name ? String(name) : null
}

function conditionValue(indexing: Indexing, override: unknown, variants: unknown): ConditionValue {
  if (!override) return HASHED_VARIANT
  const list = variants || []
  if (!Array.isArray(list))
    return { kind: 'broken', error: new TypeError('multivariate.variants.some is not a function') }
  for (const variant of list) {
    if (variant === null || variant === undefined) {
      return { kind: 'broken', error: new TypeError(`Cannot read properties of ${String(variant)} (reading 'key')`) }
    }
    if (fieldsOf(variant).key === override) return { kind: 'override', outcome: outcomeFor(indexing, override) }
  }
  return HASHED_VARIANT
}

/**
 * Indexes a condition, shared with identical ones of the set: same fields, same flag aggregation and (when it has a
 * variant override, which is checked against them) the same variants.
 */
function prepareCondition(
  indexing: Indexing,
  raw: unknown,
  flagAggregation: unknown,
  variants: unknown
): PreparedCondition {
  const fields = fieldsOf(raw)
  const parts = [
    raw === null || raw === undefined ? 'x' : 'o',
    canonical(fields.aggregation_group_type_index),
    canonical(flagAggregation),
    canonical(fields.properties),
    canonical(fields.rollout_percentage),
    canonical(fields.variant),
    fields.variant ? canonical(variants) : '-',
  ]
  const key = parts.includes(undefined) ? undefined : parts.join('\u0001')
  return shared(indexing.conditions, key, () => buildCondition(indexing, raw, flagAggregation, variants))
}

function buildCondition(
  indexing: Indexing,
  raw: unknown,
  flagAggregation: unknown,
  variants: unknown
): PreparedCondition {
  if (raw === null || raw === undefined) {
    return {
      kind: 'broken',
      error: new TypeError(`Cannot read properties of ${String(raw)} (reading 'aggregation_group_type_index')`),
    }
  }
  const condition = fieldsOf(raw)
  const own = condition.aggregation_group_type_index
  const aggregation = own !== undefined ? own : flagAggregation
  let target = INHERIT
  if (aggregation !== flagAggregation && aggregation !== null && aggregation !== undefined) {
    const name = groupName(indexing, aggregation)
    target = name === null ? SKIP : { kind: 'group', name }
  }
  const rawProperties = condition.properties
  let properties: readonly PreparedProperty[] | null = NO_PROPERTIES
  const length = rawProperties ? (rawProperties as { length?: unknown }).length : undefined
  if (typeof length === 'number' && length > 0) {
    const items = itemsOf(rawProperties)
    properties = items === null ? null : items.map((item) => prepareProperty(indexing, item))
  }
  const rollout = condition.rollout_percentage
  return {
    kind: 'condition',
    target,
    properties,
    threshold: rollout === null || rollout === undefined ? null : (rollout as number) / 100.0,
    value: conditionValue(indexing, condition.variant, variants),
  }
}

function variantTable(indexing: Indexing, variants: unknown): VariantTable {
  return shared(indexing.variantTables, canonical(variants), () => buildVariantTable(indexing, variants))
}

function buildVariantTable(indexing: Indexing, variants: unknown): VariantTable {
  const list = variants || []
  if (!Array.isArray(list))
    return { kind: 'broken', error: new TypeError('multivariate.variants.forEach is not a function') }
  if (list.length === 0) return NO_VARIANTS
  // Consecutive [min, max) ranges, accumulated in this exact order so the float edges match.
  const bounds: number[] = []
  const outcomes: ValueOutcome[] = []
  let min = 0
  for (const variant of list) {
    if (variant === null || variant === undefined) {
      return {
        kind: 'broken',
        error: new TypeError(`Cannot read properties of ${String(variant)} (reading 'rollout_percentage')`),
      }
    }
    const fields = fieldsOf(variant)
    const max = min + (fields.rollout_percentage as number) / 100.0
    bounds.push(min, max)
    outcomes.push(outcomeFor(indexing, fields.key))
    min = max
  }
  return { kind: 'table', bounds, outcomes }
}

function prepareFlag(indexing: Indexing, raw: Record<string, unknown>): PreparedFlag {
  const filters = fieldsOf(raw.filters)
  const variants = fieldsOf(filters.multivariate).variants
  const flagAggregation = filters.aggregation_group_type_index
  let aggregation: Aggregation
  if (flagAggregation === null || flagAggregation === undefined) {
    aggregation = raw.bucketing_identifier === 'device_id' ? BY_DEVICE : BY_DISTINCT_ID
  } else {
    const name = groupName(indexing, flagAggregation)
    aggregation =
      name === null ? UNKNOWN_GROUP : shared(indexing.aggregations, name, (): Aggregation => ({ kind: 'group', name }))
  }
  const groups = filters.groups || []
  const items = itemsOf(groups)
  let conditions: readonly PreparedCondition[] | null = null
  if (items !== null) {
    const list = items.map((item) => prepareCondition(indexing, item, flagAggregation, variants))
    // Identical condition lists (e.g. "everyone, 100%") are shared too; their conditions' identities make the key.
    const ids = list.map((condition) => conditionId(indexing, condition)).join(',')
    conditions = shared(indexing.conditionLists, ids, () => list)
  }
  const payloads = filters.payloads
  return {
    key: raw.key as string,
    active: !!raw.active,
    continuity: !!raw.ensure_experience_continuity,
    aggregation,
    conditions,
    variants: variantTable(indexing, variants),
    earlyExit: !!filters.early_exit,
    payloads: isObject(payloads) && Object.keys(payloads).length > 0 ? payloads : null,
  }
}

/**
 * Indexes checked definitions (see `validateFlagDefinitions`) for evaluation: call once per received set. Never
 * throws; odd parts are kept and answered at evaluation time, for the flags that use them. Flag entries that are
 * not objects with a string `key` cannot be asked for and are left out. The returned index does not reference
 * the given flag objects (payload maps excepted), so the raw set can be dropped.
 */
export function prepareDefinitions(data: FlagDefinitionCacheData): PreparedDefinitions {
  const indexing: Indexing = {
    groupTypeMapping: data.groupTypeMapping,
    outcomes: new Map(),
    properties: new Map(),
    conditions: new Map(),
    conditionLists: new Map(),
    conditionIds: new Map(),
    variantTables: new Map(),
    aggregations: new Map(),
  }
  const flagsByKey = new Map<string, PreparedFlag>()
  const keys: string[] = []
  for (const source of data.flags as unknown[]) {
    if (!isObject(source) || typeof source.key !== 'string') continue
    const flag = prepareFlag(indexing, source)
    if (!flagsByKey.has(flag.key)) keys.push(flag.key)
    flagsByKey.set(flag.key, flag)
  }
  const cohorts = new Map<string, PreparedGroup>()
  for (const id of Object.keys(data.cohorts)) {
    cohorts.set(
      id,
      prepareGroup((data.cohorts as Record<string, unknown>)[id], (raw) => prepareProperty(indexing, raw))
    )
  }
  return { flagCount: data.flags.length, flagsByKey, keys, cohorts }
}
