// Flag-level evaluation (spec §4.3, §4.4, §4.9): continuity, active, group aggregation, conditions in order,
// rollout, variants and flag dependencies. Pure and synchronous; nothing escapes as an exception.
import { matchCohort } from './cohorts'
import { bucket } from './hash'
import {
  BROKEN_COHORT,
  COHORT,
  FLAG,
  type Dependency,
  type PreparedDefinitions,
  type PreparedFlag,
  type PreparedProperty,
} from './model'
import { matchProperty } from './operators'
import {
  FALSE,
  FALSE_OUTCOME,
  INCONCLUSIVE,
  REQUIRES_SERVER,
  TRUE,
  TRUE_OUTCOME,
  inconclusive,
  lastReason,
  type MatchResult,
} from './result'
import type { DependencyCache, EvaluationInput, FlagOutcome, ValueOutcome } from './types'

/** Dependency chains deeper than this can only be cycles; upstream would overflow the stack (then go remote). */
const MAX_DEPENDENCY_DEPTH = 200

/**
 * The state of the evaluation in progress. Evaluation is synchronous, so one module-level frame is enough; it is
 * saved and restored around each call in case a property value's toString re-enters.
 */
let definitions: PreparedDefinitions | undefined
let dependencies: DependencyCache | undefined
/** Prefix of dependency cache keys: '' for person evaluations, per group type for group ones. */
let cacheScope = ''
let dependencyDepth = 0
/** Why the last matchConditions call returned null. */
let failure: typeof INCONCLUSIVE | typeof REQUIRES_SERVER = INCONCLUSIVE

function describe(thrown: unknown): string {
  try {
    return String(thrown)
  } catch {
    return 'an unprintable value'
  }
}

const asError = (thrown: unknown): Error =>
  thrown instanceof Error ? thrown : new Error(`Local evaluation threw a non-Error value: ${describe(thrown)}`)

/** Evaluates the flag `key`; undefined when the definitions do not have it. Never throws. */
export function evaluateFlag(
  defs: PreparedDefinitions,
  key: string,
  input: EvaluationInput,
  deps?: DependencyCache
): FlagOutcome | undefined {
  const flag = defs.flagsByKey.get(key)
  if (flag === undefined) return undefined
  const savedDefinitions = definitions
  const savedDependencies = dependencies
  const savedScope = cacheScope
  const savedDepth = dependencyDepth
  definitions = defs
  dependencies = deps
  dependencyDepth = 0
  try {
    return computeFlag(flag, input)
  } catch (thrown) {
    return { kind: 'error', error: asError(thrown) }
  } finally {
    definitions = savedDefinitions
    dependencies = savedDependencies
    cacheScope = savedScope
    dependencyDepth = savedDepth
  }
}

function computeFlag(flag: PreparedFlag, input: EvaluationInput): FlagOutcome {
  if (flag.continuity) return { kind: 'inconclusive', reason: 'Flag has experience continuity enabled' }
  if (!flag.active) return FALSE_OUTCOME
  let id: unknown
  let properties: Record<string, unknown>
  const groupName = flag.groupName
  if (groupName === null) {
    cacheScope = ''
    id = input.distinctId
    properties = input.personProperties
  } else {
    if (groupName === '') return { kind: 'inconclusive', reason: 'Flag has unknown group type index' }
    // Asked without its group: a definite false, not a question for the server.
    if (!(groupName in input.groups)) return FALSE_OUTCOME
    cacheScope = flag.dependencyScope
    id = input.groups[groupName]
    properties = input.groupProperties[groupName]
  }
  const outcome = matchConditions(flag, id, properties)
  if (outcome !== null) return outcome
  return failure === REQUIRES_SERVER
    ? { kind: 'requires-server', reason: lastReason() }
    : { kind: 'inconclusive', reason: lastReason() }
}

/**
 * The first matching condition's value; FALSE_OUTCOME when none matches. null when undecided (the reason is in
 * `failure` and lastReason()): a static cohort anywhere stops at once, an inconclusive condition lets later ones
 * still match.
 */
function matchConditions(flag: PreparedFlag, id: unknown, properties: Record<string, unknown>): ValueOutcome | null {
  let undecided = false
  let undecidedReason = ''
  for (const condition of flag.conditions) {
    const result = matchCondition(flag.key, condition.properties, condition.threshold, id, properties)
    if (result === TRUE) return condition.override ?? variantFor(flag, id)
    if (result === REQUIRES_SERVER) {
      failure = REQUIRES_SERVER
      return null
    }
    if (result === INCONCLUSIVE && !undecided) {
      undecided = true
      undecidedReason = lastReason()
    }
  }
  if (!undecided) return FALSE_OUTCOME
  failure = INCONCLUSIVE
  inconclusive(`Can't determine if feature flag is enabled or not with given properties (${undecidedReason})`)
  return null
}

function matchCondition(
  flagKey: string,
  conditionProperties: readonly PreparedProperty[],
  threshold: number,
  id: unknown,
  properties: Record<string, unknown>
): MatchResult {
  for (let i = 0; i < conditionProperties.length; i++) {
    const property = conditionProperties[i]
    const op = property.op
    let result: MatchResult
    // Flag-level `negation` is ignored for every kind of property, as upstream does.
    if (op === COHORT || op === BROKEN_COHORT) result = matchCohort(property, properties, 0)
    else if (op === FLAG) result = matchDependency(property, id, properties)
    else result = matchProperty(property, properties)
    if (result !== TRUE) return result
  }
  // The hash lies in [0, 1], so some thresholds decide without hashing: 1 and more (100%, no rollout) or NaN
  // include everyone, below 0 nobody. 0% still needs the hash: an exact 0 is included.
  if (!(threshold < 1)) return TRUE
  if (threshold < 0) return FALSE
  return bucket(flagKey, idText(id), false) > threshold ? FALSE : TRUE
}

const idText = (id: unknown): string => (typeof id === 'string' ? id : `${id as string}`)

function variantFor(flag: PreparedFlag, id: unknown): ValueOutcome {
  const bounds = flag.variantBounds
  if (bounds === null) return TRUE_OUTCOME
  const hash = bucket(flag.key, idText(id), true)
  for (let i = 0; i < bounds.length; i += 2) {
    if (hash >= bounds[i] && hash < bounds[i + 1]) return (flag.variantOutcomes as readonly ValueOutcome[])[i >> 1]
  }
  return TRUE_OUTCOME
}

/**
 * A `type: 'flag'` property: evaluates its dependency chain in order (same id and properties as the flag being
 * evaluated, ignoring the dependencies' own aggregation and continuity) and compares the target's value.
 * Every failure on the way is inconclusive.
 */
function matchDependency(property: PreparedProperty, id: unknown, properties: Record<string, unknown>): MatchResult {
  if (property.text !== '') return inconclusive(property.text)
  const dependency = property.aux as Dependency
  const target = property.key as string
  let cache = dependencies
  if (cache === undefined) {
    cache = new Map()
    dependencies = cache
  }
  const scope = cacheScope
  for (const dependencyKey of dependency.chain) {
    const cacheKey = scope === '' ? dependencyKey : scope + dependencyKey
    if (!cache.has(cacheKey)) {
      const dependencyFlag = (definitions as PreparedDefinitions).flagsByKey.get(dependencyKey)
      if (dependencyFlag === undefined) {
        return inconclusive(`Missing flag dependency '${dependencyKey}' for flag '${target}'`)
      }
      if (!dependencyFlag.active) {
        cache.set(cacheKey, false)
      } else {
        const outcome = evaluateDependency(dependencyFlag, id, properties)
        if (outcome === null) {
          return inconclusive(
            `Error evaluating flag dependency '${dependencyKey}' for flag '${target}': ${lastReason()}`
          )
        }
        cache.set(cacheKey, outcome.value)
      }
    }
    if (cache.get(cacheKey) == null) return inconclusive(`Dependency '${dependencyKey}' could not be evaluated`)
  }
  const actual = cache.get(scope === '' ? target : scope + target)
  return evaluatesTo(dependency.expected, actual) ? TRUE : FALSE
}

/** A dependency's own conditions; anything that goes wrong (even an unexpected error) is null with a reason. */
function evaluateDependency(flag: PreparedFlag, id: unknown, properties: Record<string, unknown>): ValueOutcome | null {
  if (dependencyDepth >= MAX_DEPENDENCY_DEPTH) {
    inconclusive(`Flag dependencies nest more than ${MAX_DEPENDENCY_DEPTH} levels deep (circular dependency?)`)
    return null
  }
  dependencyDepth++
  try {
    return matchConditions(flag, id, properties)
  } catch (thrown) {
    inconclusive(describe(thrown))
    return null
  } finally {
    dependencyDepth--
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
