// Cohort definitions: AND/OR property groups, nested groups and cohorts referencing other cohorts, indexed the way
// upstream reads them. A referenced cohort that is not in the local map is a static cohort, which only the server
// can evaluate; a group that upstream could not read becomes a `broken` node that fails where upstream failed.
import type { PreparedGroup, PreparedProperty } from './model'
import { isObject } from '../shared/is-object'

/** A group that matches everyone: missing or empty groups do. */
export const EVERYONE: PreparedGroup = Object.freeze({ kind: 'everyone' })

/** Deeper nesting than this is refused (a hostile cache entry could otherwise exhaust the stack while indexing). */
const MAX_GROUP_DEPTH = 64

/** Indexes a property group; `prepareLeaf` indexes each leaf property (null/undefined leaves included). */
export function prepareGroup(raw: unknown, prepareLeaf: (raw: unknown) => PreparedProperty, depth = 0): PreparedGroup {
  if (!isObject(raw)) return EVERYONE
  const values = raw.values
  if (!values) return EVERYONE
  if (!Array.isArray(values)) {
    // Upstream reads `values.length` and then `'values' in values[0]`: only an object with length 0 gets through.
    return isObject(values) && values.length === 0
      ? EVERYONE
      : { kind: 'broken', error: new TypeError('Cohort property group values cannot be read') }
  }
  if (values.length === 0) return EVERYONE
  if (depth > MAX_GROUP_DEPTH)
    return { kind: 'broken', error: new Error(`Cohort groups nest deeper than ${MAX_GROUP_DEPTH}`) }
  const isAnd = raw.type === 'AND'
  const first: unknown = values[0]
  // The first element decides whether this group holds groups or properties; `in` fails on a primitive.
  if (!isObject(first)) return { kind: 'broken', error: new TypeError("Cannot use 'in' operator on a cohort value") }
  if ('values' in first) {
    return { kind: 'groups', isAnd, groups: values.map((child) => prepareGroup(child, prepareLeaf, depth + 1)) }
  }
  const leaves = values.map(prepareLeaf)
  const negated = values.some((child) => isObject(child) && child.negation)
    ? values.map((child) => isObject(child) && !!child.negation)
    : null
  return { kind: 'leaves', isAnd, leaves, negated }
}
