// The indexed form of a definition set: everything that does not depend on the person or group being evaluated is
// worked out once here (operator codes, lowercased targets, compiled regexes, parsed dates, cohort links, variant
// tables, shared outcome objects).
import type { PostHogFeatureFlag } from '../definitions/types'
import type { FlagDefinitionCacheData } from '../experimental/provider'
import type { FeatureFlagValue, PreparedDefinitionsBase, PreparedFlagBase, ValueOutcome } from './types'

/** What a property at flag level or inside a cohort is. */
export const PROPERTY = 0
export const COHORT = 1
export const FLAG = 2
/** Could not be indexed (a value whose string form throws): evaluating it rethrows that failure. */
export const BROKEN = 3

/** Operator codes. */
export const EXACT = 0
export const IS_NOT = 1
export const IS_SET = 2
export const ICONTAINS = 3
export const NOT_ICONTAINS = 4
export const REGEX = 5
export const NOT_REGEX = 6
export const GT = 7
export const GTE = 8
export const LT = 9
export const LTE = 10
export const IS_DATE_BEFORE = 11
export const IS_DATE_AFTER = 12
export const IS_NOT_SET = 13
export const UNKNOWN_OPERATOR = 14

/** How a date operator's target was understood. */
export const DATE_ABSOLUTE = 0
export const DATE_RELATIVE = 1
export const DATE_INVALID = 2
export const DATE_BOOLEAN = 3

/** One property condition, in a single shape so the matcher stays monomorphic. */
export interface PreparedProperty {
  readonly kind: number
  /** The raw key, used with `in` exactly as given. */
  readonly key: unknown
  readonly operator: number
  /** The operator as written, for messages. */
  readonly operatorName: unknown
  readonly negation: boolean
  /** The raw target value. */
  readonly value: unknown
  /** `String(value)`, lowercased for exact/is_not/icontains/not_icontains. */
  readonly text: string
  /** exact/is_not with an array target: the lowercased string forms of its elements. */
  readonly textSet: ReadonlySet<string> | null
  /** gt/gte/lt/lte: the numeric target (`parseFloat` for strings), null for other target types. */
  readonly number: number | null
  /** regex/not_regex: the compiled pattern, null when it does not compile. */
  readonly regex: RegExp | null
  readonly dateKind: number
  /** Absolute date target in epoch ms, or the amount of a relative one. */
  readonly dateValue: number
  /** Relative date unit: h, d, w, m or y. */
  readonly dateUnit: string
  /** Cohort properties: the cohort id and its group (undefined: not local, i.e. static). */
  readonly cohortId: string
  cohort: PreparedGroup | undefined
  /** Flag dependencies: why the chain is unusable, or '' when it is fine. */
  readonly chainProblem: string
  readonly chain: readonly string[]
  /** The failure to rethrow for BROKEN properties. */
  readonly failure: unknown
}

/** A cohort's property group: either nested groups or leaf properties (decided by its first element). */
export interface PreparedGroup {
  readonly isAnd: boolean
  /** null when the group is a leaf group. */
  readonly groups: readonly PreparedGroup[] | null
  readonly leaves: readonly PreparedProperty[]
}

/** One release condition. */
export interface PreparedCondition {
  readonly properties: readonly PreparedProperty[]
  readonly hasRollout: boolean
  /** `rollout_percentage / 100`; included when the hash is not above it. */
  readonly threshold: number
  /** The outcome of a valid variant override, else null. */
  readonly override: ValueOutcome | null
}

export interface PreparedFlag extends PreparedFlagBase {
  readonly continuity: boolean
  readonly active: boolean
  /** `aggregation_group_type_index` when set (group flag), else undefined. */
  readonly groupTypeIndex: unknown
  /** The group type name from the mapping; '' when the index is not mapped. */
  readonly groupName: string
  readonly conditions: readonly PreparedCondition[]
  /** Variant table `[min, max)` in definition order. */
  readonly variantMin: Float64Array
  readonly variantMax: Float64Array
  readonly variantOutcomes: readonly ValueOutcome[]
  /** UTF-8 of `${key}.`, the fixed prefix of every hash input. */
  readonly hashPrefix: Uint8Array
  readonly hashPrefixText: string
  readonly payloads: Readonly<Record<string, unknown>> | null
}

export interface PreparedDefinitions extends PreparedDefinitionsBase {
  readonly flagsByKey: ReadonlyMap<string, PreparedFlag>
  /** The flags in definition order (a repeated key keeps its first position and its last definition). */
  readonly flags: readonly PreparedFlag[]
  /** The keys of {@link PreparedDefinitions.flags}, in the same order. */
  readonly keys: readonly string[]
  readonly cohorts: ReadonlyMap<string, PreparedGroup>
}

export type { FlagDefinitionCacheData, FeatureFlagValue, PostHogFeatureFlag }
