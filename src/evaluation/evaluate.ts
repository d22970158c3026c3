// Flag-level evaluation: active, continuity, aggregation and bucketing, conditions in order (with condition-level
// group targeting), rollout, early exit, variants, cohorts and flag dependencies. Pure and synchronous; the per-call
// state travels in an EvaluationState; nothing escapes as an exception.
import { describeError } from '../shared/async'
import { rolloutHash } from './hash'
import type { PreparedCondition, PreparedFlag, PreparedGroup, PreparedProperty } from './model'
import { matchValueProperty } from './operators'
import {
  FALSE,
  FALSE_OUTCOME,
  INCONCLUSIVE,
  OUT_OF_ROLLOUT,
  REQUIRES_SERVER,
  TRUE,
  TRUE_OUTCOME,
  type MatchResult,
} from './result'
import { EvaluationState } from './state'
import type { DependencyCache, EvaluationInput, FeatureFlagValue, FlagOutcome, ValueOutcome } from './types'
import type { PreparedDefinitions } from './model'

/** Dependency chains deeper than this can only be cycles (the server refuses them). */
const MAX_DEPENDENCY_DEPTH = 200
/** Deeper cohort references than this can only be a cycle. */
const MAX_COHORT_DEPTH = 200

const asError = (thrown: unknown): Error =>
  thrown instanceof Error ? thrown : new Error(`Local evaluation threw a non-Error value: ${describeError(thrown)}`)

/** Evaluates the flag `key`; undefined when the definitions do not have it. Never throws. */
export function evaluateFlag(
  defs: PreparedDefinitions,
  key: string,
  input: EvaluationInput,
  deps?: DependencyCache
): FlagOutcome | undefined {
  const flag = defs.flagsByKey.get(key)
  if (flag === undefined) return undefined
  const state = new EvaluationState(defs, input, deps ?? new Map())
  try {
    const outcome = computeFlag(state, flag)
    if (outcome !== null) return outcome
    return state.undecided === REQUIRES_SERVER
      ? { kind: 'requires-server', reason: state.reason }
      : { kind: 'inconclusive', reason: state.reason }
  } catch (thrown) {
    return { kind: 'error', error: asError(thrown) }
  }
}

/** A flag's value, or null when undecided (`state.undecided` says how, `state.reason` why). Throws on errors. */
function computeFlag(state: EvaluationState, flag: PreparedFlag): ValueOutcome | null {
  if (!flag.active) return FALSE_OUTCOME
  if (flag.continuity) return undecided(state, state.inconclusive('Flag has experience continuity enabled'))
  const input = state.input
  const aggregation = flag.aggregation
  let id: unknown
  let properties: Record<string, unknown>
  if (aggregation.kind === 'person') {
    properties = input.personProperties
    id = input.distinctId
    if (aggregation.byDevice) {
      id = properties.$device_id
      if (id === undefined || id === null || id === '') {
        return undecided(state, state.inconclusive(`Can't compute feature flag: ${flag.key} without $device_id`))
      }
    }
  } else if (aggregation.kind === 'group') {
    // Asked without its group: a definite false, not a question for the server.
    if (!(aggregation.name in input.groups)) return FALSE_OUTCOME
    id = input.groups[aggregation.name]
    properties = input.groupProperties[aggregation.name]
  } else {
    return undecided(state, state.inconclusive('Flag has unknown group type index'))
  }
  return matchConditions(state, flag, id, properties)
}

function undecided(state: EvaluationState, result: typeof INCONCLUSIVE | typeof REQUIRES_SERVER): null {
  state.undecided = result
  return null
}

/**
 * The first matching condition's value; FALSE_OUTCOME when none matches. null when undecided: a static cohort
 * anywhere stops at once, an inconclusive condition lets later ones still match.
 */
function matchConditions(
  state: EvaluationState,
  flag: PreparedFlag,
  flagId: unknown,
  flagProperties: Record<string, unknown>
): ValueOutcome | null {
  const conditions = flag.conditions
  if (conditions === null) throw new TypeError(`filters.groups of flag ${flag.key} is not iterable`)
  let isUndecided = false
  const input = state.input
  for (let c = 0; c < conditions.length; c++) {
    const condition: PreparedCondition = conditions[c]
    if (condition.kind === 'broken') throw condition.error
    let id = flagId
    let properties = flagProperties
    const target = condition.target
    if (target.kind === 'skip') continue
    if (target.kind === 'group') {
      if (!(target.name in input.groups)) continue
      if (!(target.name in input.groupProperties)) {
        isUndecided = true
        continue
      }
      id = input.groups[target.name]
      properties = input.groupProperties[target.name]
    }
    const result = matchCondition(state, flag.key, condition, id, properties)
    if (result === TRUE) {
      const value = condition.value
      if (value.kind === 'override') return value.outcome
      if (value.kind === 'broken') throw value.error
      return variantFor(flag, id)
    }
    if (result === REQUIRES_SERVER) return undecided(state, REQUIRES_SERVER)
    if (result === OUT_OF_ROLLOUT && flag.earlyExit) return FALSE_OUTCOME
    if (result === INCONCLUSIVE) isUndecided = true
  }
  if (!isUndecided) return FALSE_OUTCOME
  return undecided(state, state.inconclusive("Can't determine if feature flag is enabled or not with given properties"))
}

function matchCondition(
  state: EvaluationState,
  flagKey: string,
  condition: PreparedCondition & { kind: 'condition' },
  id: unknown,
  values: Record<string, unknown>
): MatchResult {
  const properties = condition.properties
  if (properties === null) throw new TypeError('condition properties are not iterable')
  for (let i = 0; i < properties.length; i++) {
    const property = properties[i]
    let result: MatchResult
    // Flag-level `negation` is not read for any kind of property; a cohort's `not_in` is.
    if (property.kind === 'cohort') {
      result = matchCohort(state, property.cohortId, values, 0)
      if (property.notIn && (result === TRUE || result === FALSE)) result = result === TRUE ? FALSE : TRUE
    } else result = matchProperty(state, property, values)
    if (result !== TRUE) return result
  }
  const threshold = condition.threshold
  if (threshold === null) return TRUE
  // The hash lies in [0, 1], so some thresholds decide without hashing: 1 and more (100%) or NaN include
  // everyone, below 0 nobody. 0% still needs the hash: an exact 0 is included.
  if (!(threshold < 1)) return TRUE
  if (threshold < 0) return OUT_OF_ROLLOUT
  return rolloutHash(flagKey, idText(id), false) > threshold ? OUT_OF_ROLLOUT : TRUE
}

/** Any property but a flag-level cohort (whose `not_in` its caller applies). */
function matchProperty(
  state: EvaluationState,
  property: PreparedProperty,
  values: Record<string, unknown>
): MatchResult {
  switch (property.kind) {
    case 'cohort':
      return matchCohort(state, property.cohortId, values, 0)
    case 'dependency':
      return matchDependency(state, property)
    case 'broken':
      throw property.error
    default:
      return matchValueProperty(state, property, values)
  }
}

const idText = (id: unknown): string => (typeof id === 'string' ? id : `${id as string}`)

function variantFor(flag: PreparedFlag, id: unknown): ValueOutcome {
  const variants = flag.variants
  if (variants.kind === 'none') return TRUE_OUTCOME
  if (variants.kind === 'broken') throw variants.error
  const bounds = variants.bounds
  const hash = rolloutHash(flag.key, idText(id), true)
  for (let i = 0; i < bounds.length; i += 2) {
    if (hash >= bounds[i] && hash < bounds[i + 1]) return variants.outcomes[i >> 1]
  }
  return TRUE_OUTCOME
}

/** A `type: 'cohort'` property's raw membership (negation and operator are the caller's). */
function matchCohort(
  state: EvaluationState,
  cohortId: string,
  values: Record<string, unknown>,
  depth: number
): MatchResult {
  const cohort = state.definitions.cohorts.get(cohortId)
  if (cohort === undefined) {
    return state.requiresServer(
      `cohort ${cohortId} not found in local cohorts - likely a static cohort that requires server evaluation`
    )
  }
  if (depth > MAX_COHORT_DEPTH) {
    throw new Error(`Cohort ${cohortId} is nested more than ${MAX_COHORT_DEPTH} levels deep (circular cohort?)`)
  }
  return matchGroup(state, cohort, values, depth + 1)
}

function matchGroup(
  state: EvaluationState,
  group: PreparedGroup,
  values: Record<string, unknown>,
  depth: number
): MatchResult {
  if (group.kind === 'everyone') return TRUE
  if (group.kind === 'broken') throw group.error
  const isAnd = group.isAnd
  let isUndecided = false
  if (group.kind === 'groups') {
    for (const child of group.groups) {
      const result = matchGroup(state, child, values, depth)
      if (result === REQUIRES_SERVER) return result
      if (result === INCONCLUSIVE) isUndecided = true
      else if (isAnd) {
        if (result === FALSE) return FALSE
      } else if (result === TRUE) return TRUE
    }
  } else {
    const leaves = group.leaves
    for (let i = 0; i < leaves.length; i++) {
      const leaf = leaves[i]
      const result =
        leaf.kind === 'cohort' ? matchCohort(state, leaf.cohortId, values, depth) : matchProperty(state, leaf, values)
      if (result === REQUIRES_SERVER) return result
      if (result === INCONCLUSIVE) {
        isUndecided = true
        continue
      }
      // A leaf counts when its match differs from its negation.
      const counts = (result === TRUE) !== (group.negated !== null && group.negated[i])
      if (isAnd) {
        if (!counts) return FALSE
      } else if (counts) return TRUE
    }
  }
  if (isUndecided) return state.inconclusive("Can't match cohort without a given cohort property value")
  return isAnd ? TRUE : FALSE
}

/**
 * A `type: 'flag'` property: evaluates its dependency chain in order (each dependency as a flag of its own, for
 * the same person and groups) and compares the target's value. Every failure on the way is inconclusive.
 */
function matchDependency(state: EvaluationState, property: PreparedProperty & { kind: 'dependency' }): MatchResult {
  if (property.problem !== '') return state.inconclusive(property.problem)
  const cache = state.dependencies
  const flags = state.definitions.flagsByKey
  for (const dependencyKey of property.chain) {
    if (!cache.has(dependencyKey)) {
      const dependency = flags.get(dependencyKey)
      if (dependency === undefined) {
        return state.inconclusive(`Missing flag dependency '${dependencyKey}' for flag '${property.target}'`)
      }
      if (!dependency.active) {
        cache.set(dependencyKey, false)
      } else {
        const value = evaluateDependency(state, dependency)
        if (value === null) {
          return state.inconclusive(
            `Error evaluating flag dependency '${dependencyKey}' for flag '${property.target}': ${state.reason}`
          )
        }
        cache.set(dependencyKey, value)
      }
    }
    if (cache.get(dependencyKey) == null)
      return state.inconclusive(`Dependency '${dependencyKey}' could not be evaluated`)
  }
  return evaluatesTo(property.expected, cache.get(property.target)) ? TRUE : FALSE
}

/** A dependency's value; anything that goes wrong (even an unexpected error) is null with a reason. */
function evaluateDependency(state: EvaluationState, flag: PreparedFlag): FeatureFlagValue | null {
  if (state.depth >= MAX_DEPENDENCY_DEPTH) {
    state.inconclusive(`Flag dependencies nest more than ${MAX_DEPENDENCY_DEPTH} levels deep (circular dependency?)`)
    return null
  }
  state.depth++
  try {
    const outcome = computeFlag(state, flag)
    return outcome === null ? null : outcome.value
  } catch (thrown) {
    state.inconclusive(describeError(thrown))
    return null
  } finally {
    state.depth--
  }
}

/** Whether a dependency's value satisfies the expected value of a flag property. */
function evaluatesTo(expected: unknown, actual: unknown): boolean {
  if (typeof expected === 'boolean') {
    return expected === actual || (expected === true && typeof actual === 'string' && actual !== '')
  }
  if (typeof expected === 'string') return actual === expected
  return false
}
