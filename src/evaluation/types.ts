import type { FeatureFlagValue, JsonType } from '@posthog/core'

/** Who a flag is evaluated for. Person and group properties already carry the client's augmentation. */
export interface EvaluationInput {
  distinctId: string
  groups: Record<string, string | number>
  personProperties: Record<string, unknown>
  groupProperties: Record<string, Record<string, unknown>>
}

/** A decided flag value. Shared, frozen instances: never mutate. */
export type ValueOutcome = { readonly kind: 'value'; readonly value: FeatureFlagValue }

/** The result of evaluating one flag locally. */
export type FlagOutcome =
  | ValueOutcome
  /** Not decidable from local data (missing property, unknown operator, continuity flag...): ask the server. */
  | { kind: 'inconclusive'; reason: string }
  /** A referenced cohort is not in the local cohort map (static cohort): ask the server. */
  | { kind: 'requires-server'; reason: string }
  /** An unexpected failure; reported through the client's error channel, then treated as inconclusive. */
  | { kind: 'error'; error: Error }

/** A flag indexed for evaluation. */
export interface PreparedFlagBase {
  readonly key: string
}

/**
 * One received definition set, indexed once. The raw definitions are not kept (the index is smaller than they
 * are); whoever needs them (a provider) gets them where they are received.
 */
export interface PreparedDefinitionsBase {
  /** How many flag definitions the set had (repeated keys included), as upstream counts them. */
  readonly flagCount: number
  readonly flagsByKey: ReadonlyMap<string, PreparedFlagBase>
}

/** Dependency results shared by the evaluations of one `getAllFlags` call. */
export type DependencyCache = Map<string, FeatureFlagValue | null>

export type { FeatureFlagValue, JsonType }
