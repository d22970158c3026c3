// The indexed form of a definition set. Everything that does not depend on who is evaluated is worked out once
// (lowercased targets, compiled patterns, parsed dates and versions, variant tables, shared outcome objects), and
// the raw definitions are not kept. Every part of a flag is indexed on its own: a malformed part becomes a node
// that answers the way upstream does for it (inconclusive, or an error), so it only affects the flags using it.
import type { PreparedDefinitionsBase, PreparedFlagBase, ValueOutcome } from './types'
import type { Pattern, UNSAFE_PATTERN } from './pattern'

/** A property key exactly as given: used with `in` and as an index, so it coerces as upstream's lookups did. */
export type RawKey = unknown

/** A `[major, minor, patch]` version. */
export type Version = readonly [number, number, number]

/** A date target: epoch ms, a distance back from now, or why it cannot be used. */
export type DateTarget =
  | { readonly kind: 'absolute'; readonly ms: number }
  | { readonly kind: 'relative'; readonly amount: number; readonly unit: string }
  | { readonly kind: 'invalid'; readonly reason: string }

/** A version target: an exact version to compare with, a half-open range, or why it is not a version. */
export type VersionTarget =
  | { readonly kind: 'version'; readonly version: Version }
  | { readonly kind: 'range'; readonly lower: Version; readonly upper: Version }
  | { readonly kind: 'invalid'; readonly reason: string }

export type Comparison = 'gt' | 'gte' | 'lt' | 'lte'
export type VersionComparison = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'range'
export type TextTest = 'contains' | 'starts' | 'ends'

/** One property condition on a person or group property, a cohort or another flag. */
export type PreparedProperty =
  | { readonly kind: 'exact'; readonly key: RawKey; readonly negated: boolean; readonly targets: readonly string[] }
  | { readonly kind: 'is_set'; readonly key: RawKey }
  | { readonly kind: 'is_not_set'; readonly key: RawKey }
  | {
      readonly kind: 'text'
      readonly key: RawKey
      readonly test: TextTest
      readonly negated: boolean
      readonly needle: string
    }
  /**
   * `pattern` null: the target is not a valid pattern (never matches, negated or not); 'unsafe': a pattern that
   * could backtrack exponentially and that the linear-time engine cannot match with the same meaning, not matched
   * locally (inconclusive).
   */
  | {
      readonly kind: 'regex'
      readonly key: RawKey
      readonly negated: boolean
      readonly pattern: Pattern | null | typeof UNSAFE_PATTERN
    }
  /** `number`: the target as a finite number, NaN when it is not one (then the comparison is on strings). */
  | {
      readonly kind: 'compare'
      readonly key: RawKey
      readonly op: Comparison
      readonly text: string
      readonly number: number
    }
  | { readonly kind: 'date'; readonly key: RawKey; readonly before: boolean; readonly target: DateTarget }
  | {
      readonly kind: 'semver'
      readonly key: RawKey
      readonly op: VersionComparison
      readonly target: VersionTarget
    }
  | { readonly kind: 'unknown_operator'; readonly key: RawKey; readonly operator: string }
  /** `cohortId`: the referenced cohort; `notIn`: flag-level `not_in` (cohort leaves ignore the operator). */
  | { readonly kind: 'cohort'; readonly cohortId: string; readonly notIn: boolean }
  /** A `type: 'flag'` property; `problem` non-empty when its chain is unusable. */
  | {
      readonly kind: 'dependency'
      readonly target: string
      readonly chain: readonly string[]
      readonly expected: unknown
      readonly problem: string
    }
  /** Reading it fails the way upstream's read did (a missing property object, a value whose text throws). */
  | { readonly kind: 'broken'; readonly error: unknown }

/** A cohort's property group, as upstream reads it (the first element decides nested groups or leaves). */
export type PreparedGroup =
  | { readonly kind: 'everyone' }
  | { readonly kind: 'broken'; readonly error: unknown }
  | { readonly kind: 'groups'; readonly isAnd: boolean; readonly groups: readonly PreparedGroup[] }
  | {
      readonly kind: 'leaves'
      readonly isAnd: boolean
      readonly leaves: readonly PreparedProperty[]
      /** Which leaves are negated; null when none is. */
      readonly negated: readonly boolean[] | null
    }

/**
 * Which properties and bucketing value a condition uses: the flag's own (`inherit`), a group named at condition
 * level (mixed targeting), or none (`skip`: its group type is not in the mapping).
 */
export type ConditionTarget =
  { readonly kind: 'inherit' } | { readonly kind: 'group'; readonly name: string } | { readonly kind: 'skip' }

/** What a matching condition yields: a valid variant override, the hashed variant, or a failure to read. */
export type ConditionValue =
  | { readonly kind: 'override'; readonly outcome: ValueOutcome }
  | { readonly kind: 'variant' }
  | { readonly kind: 'broken'; readonly error: unknown }

/** One release condition. */
export type PreparedCondition =
  | { readonly kind: 'broken'; readonly error: unknown }
  | {
      readonly kind: 'condition'
      readonly target: ConditionTarget
      /** null: `properties` cannot be iterated (reading them fails). */
      readonly properties: readonly PreparedProperty[] | null
      /** `rollout_percentage / 100`; null when there is no rollout. */
      readonly threshold: number | null
      readonly value: ConditionValue
    }

/** The variant table, `[min0, max0, min1, max1, ...]` in definition order, or why it cannot be built. */
export type VariantTable =
  | { readonly kind: 'none' }
  | { readonly kind: 'table'; readonly bounds: readonly number[]; readonly outcomes: readonly ValueOutcome[] }
  | { readonly kind: 'broken'; readonly error: unknown }

/** How a flag is bucketed: by the distinct id, by `$device_id`, or by the key of a group type. */
export type Aggregation =
  | { readonly kind: 'person'; readonly byDevice: boolean }
  | { readonly kind: 'group'; readonly name: string }
  /** A group type index missing from the mapping: inconclusive. */
  | { readonly kind: 'unknown_group' }

export interface PreparedFlag extends PreparedFlagBase {
  readonly active: boolean
  readonly continuity: boolean
  readonly aggregation: Aggregation
  /** null: `filters.groups` cannot be iterated. */
  readonly conditions: readonly PreparedCondition[] | null
  readonly variants: VariantTable
  /** A condition whose rollout excludes the id ends the evaluation with false. */
  readonly earlyExit: boolean
  readonly payloads: Readonly<Record<string, unknown>> | null
}

export interface PreparedDefinitions extends PreparedDefinitionsBase {
  readonly flagsByKey: ReadonlyMap<string, PreparedFlag>
  /** Every flag key once, in definition order (a repeated key keeps its first position, its last definition). */
  readonly keys: readonly string[]
  readonly cohorts: ReadonlyMap<string, PreparedGroup>
}
