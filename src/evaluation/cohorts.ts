// Cohorts: AND/OR property groups, nested groups and cohorts referencing other cohorts. A referenced cohort that is
// not in the local map is a static cohort, which only the server can evaluate.
import { BROKEN_COHORT, COHORT, FLAG, type PreparedGroup, type PreparedProperty } from './model'
import { matchProperty } from './operators'
import { FALSE, INCONCLUSIVE, REQUIRES_SERVER, TRUE, inconclusive, requiresServer, type MatchResult } from './result'

/** A group that matches everyone: missing or empty groups do. */
const EVERYONE: PreparedGroup = Object.freeze({ isAnd: true, groups: null, leaves: Object.freeze([]), negated: null })

/** Deeper cohort references than this can only be a cycle; upstream would overflow the stack. */
const MAX_COHORT_DEPTH = 200

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null

/** Indexes a property group; `prepareLeaf` indexes (and registers for cohort linking) each leaf property. */
export function prepareGroup(
  raw: unknown,
  prepareLeaf: (raw: Record<string, unknown>) => PreparedProperty
): PreparedGroup {
  if (!isObject(raw)) return EVERYONE
  const values = raw.values
  if (!Array.isArray(values) || values.length === 0) return EVERYONE
  const isAnd = raw.type === 'AND'
  // The first element decides whether this group holds groups or properties.
  if (isObject(values[0]) && 'values' in values[0]) {
    return { isAnd, groups: values.map((child) => prepareGroup(child, prepareLeaf)), leaves: [], negated: null }
  }
  const children: Record<string, unknown>[] = values.map((child) => (isObject(child) ? child : {}))
  const leaves = children.map(prepareLeaf)
  const negated = children.some((child) => child.negation) ? children.map((child) => !!child.negation) : null
  return { isAnd, groups: null, leaves, negated }
}

/** Points every collected cohort property at its cohort (left undefined for static cohorts). */
export function linkCohorts(
  properties: readonly PreparedProperty[],
  cohorts: ReadonlyMap<string, PreparedGroup>
): void {
  for (const property of properties) property.aux = cohorts.get(property.text)
}

/** Matches a `type: 'cohort'` property (its own negation and operator are not read here). */
export function matchCohort(property: PreparedProperty, values: Record<string, unknown>, depth: number): MatchResult {
  if (property.op === BROKEN_COHORT) throw property.aux
  const cohort = property.aux as PreparedGroup | undefined
  if (cohort === undefined) {
    return requiresServer(
      `cohort ${property.text} not found in local cohorts - likely a static cohort that requires server evaluation`
    )
  }
  if (depth > MAX_COHORT_DEPTH) {
    throw new Error(`Cohort ${property.text} is nested more than ${MAX_COHORT_DEPTH} levels deep (circular cohort?)`)
  }
  return matchGroup(cohort, values, depth + 1)
}

function matchGroup(group: PreparedGroup, values: Record<string, unknown>, depth: number): MatchResult {
  const isAnd = group.isAnd
  let undecided = false
  if (group.groups !== null) {
    for (const child of group.groups) {
      const result = matchGroup(child, values, depth)
      if (result === REQUIRES_SERVER) return result
      if (result === INCONCLUSIVE) undecided = true
      else if (isAnd) {
        if (result === FALSE) return FALSE
      } else if (result === TRUE) return TRUE
    }
  } else {
    const leaves = group.leaves
    for (let i = 0; i < leaves.length; i++) {
      const leaf = leaves[i]
      let result: MatchResult
      if (leaf.op === COHORT || leaf.op === BROKEN_COHORT) result = matchCohort(leaf, values, depth)
      else if (leaf.op === FLAG)
        continue // flag dependencies are not supported inside cohorts: skipped
      else result = matchProperty(leaf, values)
      if (result === REQUIRES_SERVER) return result
      if (result === INCONCLUSIVE) {
        undecided = true
        continue
      }
      // A leaf counts when its match differs from its negation.
      const counts = (result === TRUE) !== (group.negated !== null && group.negated[i])
      if (isAnd) {
        if (!counts) return FALSE
      } else if (counts) return TRUE
    }
  }
  if (undecided) return inconclusive("Can't match cohort without a given cohort property value")
  return isAnd ? TRUE : FALSE
}
