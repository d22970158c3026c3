// Match results travel as small integers (no exceptions, no allocation on the hot path); the reason for an
// inconclusive or server-only answer is kept on the evaluation state and only read when the outcome is built.
import type { FeatureFlagValue, ValueOutcome } from './types'

export const FALSE = 0
export const TRUE = 1
/** Cannot be decided locally; other conditions may still decide. */
export const INCONCLUSIVE = 2
/** A static cohort is involved: the whole flag must be asked of the server. */
export const REQUIRES_SERVER = 3
/** A condition's properties matched but its rollout excludes the id (ends a flag with `early_exit`). */
export const OUT_OF_ROLLOUT = 4

export type MatchResult =
  typeof FALSE | typeof TRUE | typeof INCONCLUSIVE | typeof REQUIRES_SERVER | typeof OUT_OF_ROLLOUT

const valueOutcome = (value: FeatureFlagValue): ValueOutcome => Object.freeze({ kind: 'value' as const, value })

export const TRUE_OUTCOME = valueOutcome(true)
export const FALSE_OUTCOME = valueOutcome(false)

/** The shared outcome for a variant value (`key || true`, as the variant lookup yields it). */
export function variantOutcome(variantKey: unknown): ValueOutcome {
  return variantKey ? valueOutcome(variantKey as FeatureFlagValue) : TRUE_OUTCOME
}
