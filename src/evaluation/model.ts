// The indexed form of a definition set. Everything that does not depend on who is evaluated is worked out once
// (operator codes, lowercased targets, compiled regexes, parsed dates, cohort links, variant tables, shared outcome
// objects), and the raw definitions are not kept: the index is smaller than the JSON it came from.
import type { PreparedDefinitionsBase, PreparedFlagBase, ValueOutcome } from './types'

/** Operator codes of value properties. */
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
/** A value property whose target could not be indexed (its string form throws): rethrown where upstream threw. */
export const FAILED = 15
/** Property kinds that are not matched against a value. */
export const COHORT = 16
export const FLAG = 17
/** A cohort property whose id could not be read; evaluating it rethrows. */
export const BROKEN_COHORT = 18

/**
 * One property condition, in one small shape. What `text` and `aux` hold depends on `op`:
 * - EXACT / IS_NOT: `text` the lowercased target; `aux` the lowercased elements when the target is an array.
 * - ICONTAINS / NOT_ICONTAINS: `text` the lowercased target.
 * - REGEX / NOT_REGEX: `aux` the compiled pattern, null when it does not compile.
 * - GT..LTE: `text` the target as a string; `aux` the numeric target, null for non-number, non-string targets.
 * - IS_DATE_*: `text` the target as a string; `aux` epoch ms (absolute), a {@link RelativeDate}, null (unparseable)
 *   or false (boolean target).
 * - UNKNOWN_OPERATOR: `text` the operator as written. FAILED / BROKEN_COHORT: `aux` the failure.
 * - COHORT: `text` the cohort id; `aux` its group (undefined: not local, a static cohort).
 * - FLAG: `key` the flag it depends on; `text` why the chain is unusable ('' if it is fine); `aux` a
 *   {@link Dependency}.
 */
export class PreparedProperty {
  constructor(
    public op: number,
    /** The raw key, used with `in` exactly as given. */
    public key: unknown,
    public text: string,
    public aux: unknown
  ) {}
}

export interface RelativeDate {
  amount: number
  unit: string
}

export interface Dependency {
  chain: readonly string[]
  expected: unknown
}

/** A cohort's property group: either nested groups or leaf properties (decided by its first element). */
export interface PreparedGroup {
  readonly isAnd: boolean
  /** null when the group is a leaf group. */
  readonly groups: readonly PreparedGroup[] | null
  readonly leaves: readonly PreparedProperty[]
  /** Which leaves are negated; null when none is. */
  readonly negated: readonly boolean[] | null
}

/** One release condition. */
export interface PreparedCondition {
  readonly properties: readonly PreparedProperty[]
  /** `rollout_percentage / 100`: included when the hash is not above it. Infinity when there is no rollout. */
  readonly threshold: number
  /** The outcome of a valid variant override, else null. */
  readonly override: ValueOutcome | null
}

export interface PreparedFlag extends PreparedFlagBase {
  readonly active: boolean
  readonly continuity: boolean
  /** null for person flags; the group type name for group flags, '' when the index is not in the mapping. */
  readonly groupName: string | null
  /**
   * Prefix of this flag's dependency cache keys: '' for person flags, one per group type for group flags, so that
   * dependencies evaluated for a group never answer for a person (or another group type) in a shared cache.
   */
  readonly dependencyScope: string
  readonly conditions: readonly PreparedCondition[]
  /** Variant table: `[min0, max0, min1, max1, ...]` in definition order, null without variants. */
  readonly variantBounds: readonly number[] | null
  readonly variantOutcomes: readonly ValueOutcome[] | null
  readonly payloads: Readonly<Record<string, unknown>> | null
}

export interface PreparedDefinitions extends PreparedDefinitionsBase {
  readonly flagsByKey: ReadonlyMap<string, PreparedFlag>
  /** Every flag key once, in definition order (a repeated key keeps its first position, its last definition). */
  readonly keys: readonly string[]
}
