// Person and group property operators. Coercions follow upstream on purpose: string-coerced case-insensitive
// `exact`, numeric comparison only when both sides are finite numbers (else on strings), `is_not_set` decided from
// the key's presence, `is_set` true for a present key even when its value is null.
import { dateValueMs, parseRelativeDate, relativeDateMs } from './dates'
import type { Comparison, DateTarget, PreparedProperty, TextTest, VersionComparison } from './model'
import { UNSAFE_PATTERN, compilePattern } from './pattern'
import { FALSE, TRUE, type MatchResult } from './result'
import { compareVersions, parseVersion, versionTarget } from './semver'
import type { EvaluationState } from './state'

const COMPARISONS: ReadonlySet<string> = new Set(['gt', 'gte', 'lt', 'lte'])
const TEXT_TESTS: ReadonlyMap<string, [TextTest, boolean]> = new Map([
  ['icontains', ['contains', false]],
  ['not_icontains', ['contains', true]],
  ['starts_with', ['starts', false]],
  ['not_starts_with', ['starts', true]],
  ['ends_with', ['ends', false]],
  ['not_ends_with', ['ends', true]],
])
const VERSION_TESTS: ReadonlyMap<string, VersionComparison> = new Map([
  ['semver_eq', 'eq'],
  ['semver_neq', 'neq'],
  ['semver_gt', 'gt'],
  ['semver_gte', 'gte'],
  ['semver_lt', 'lt'],
  ['semver_lte', 'lte'],
  ['semver_tilde', 'range'],
  ['semver_caret', 'range'],
  ['semver_wildcard', 'range'],
])

function dateTarget(target: unknown): DateTarget {
  if (typeof target === 'boolean')
    return { kind: 'invalid', reason: 'Date operations cannot be performed on boolean values' }
  const text = String(target)
  const relative = parseRelativeDate(text)
  if (relative !== null) return { kind: 'relative', amount: relative.amount, unit: relative.unit }
  const ms = dateValueMs(target instanceof Date || typeof target !== 'object' ? target : undefined)
  return ms === undefined && !(target instanceof Date)
    ? { kind: 'invalid', reason: `Invalid date: ${text}` }
    : { kind: 'absolute', ms: ms ?? NaN }
}

/** A person or group property: the operator and everything derived from its target. */
export function prepareValueProperty(raw: Record<string, unknown>): PreparedProperty {
  const key = raw.key
  const operator = raw.operator || 'exact'
  const target = raw.value
  if (typeof operator !== 'string') return { kind: 'unknown_operator', key, operator: String(operator) }
  if (operator === 'exact' || operator === 'is_not') {
    const targets = Array.isArray(target)
      ? target.map((element) => String(element).toLowerCase())
      : [String(target).toLowerCase()]
    return { kind: 'exact', key, negated: operator === 'is_not', targets }
  }
  if (operator === 'is_set') return { kind: 'is_set', key }
  if (operator === 'is_not_set') return { kind: 'is_not_set', key }
  const text = TEXT_TESTS.get(operator)
  if (text) return { kind: 'text', key, test: text[0], negated: text[1], needle: String(target).toLowerCase() }
  if (operator === 'regex' || operator === 'not_regex') {
    return { kind: 'regex', key, negated: operator === 'not_regex', pattern: compilePattern(String(target)) }
  }
  if (COMPARISONS.has(operator)) {
    const number = typeof target === 'number' ? target : parseFloat(String(target))
    return {
      kind: 'compare',
      key,
      op: operator as Comparison,
      text: String(target),
      number: Number.isFinite(number) ? number : NaN,
    }
  }
  if (operator === 'is_date_before' || operator === 'is_date_after') {
    return { kind: 'date', key, before: operator === 'is_date_before', target: dateTarget(target) }
  }
  const version = VERSION_TESTS.get(operator)
  if (version) return { kind: 'semver', key, op: version, target: versionTarget(operator, String(target)) }
  return { kind: 'unknown_operator', key, operator }
}

function compare(op: Comparison, left: number | string, right: number | string): boolean {
  if (op === 'gt') return left > right
  if (op === 'gte') return left >= right
  if (op === 'lt') return left < right
  return left <= right
}

function textMatches(test: TextTest, value: string, needle: string): boolean {
  if (test === 'contains') return value.includes(needle)
  if (test === 'starts') return value.startsWith(needle)
  return value.endsWith(needle)
}

type ValueProperty = Exclude<PreparedProperty, { kind: 'cohort' | 'dependency' | 'broken' }>

function matchDate(state: EvaluationState, target: DateTarget, before: boolean, value: unknown): MatchResult {
  let targetMs: number
  if (target.kind === 'invalid') return state.inconclusive(target.reason)
  if (target.kind === 'absolute') targetMs = target.ms
  else targetMs = relativeDateMs(target.amount, target.unit, Date.now())
  const actual = dateValueMs(value)
  if (actual === undefined) return state.inconclusive(`${String(value)} is not a valid date`)
  return (before ? actual < targetMs : actual > targetMs) ? TRUE : FALSE
}

function matchVersion(
  state: EvaluationState,
  property: ValueProperty & { kind: 'semver' },
  value: unknown
): MatchResult {
  const actual = parseVersion(String(value))
  if (actual === null) return state.inconclusive(`Invalid semver: ${String(value)}`)
  const target = property.target
  if (target.kind === 'invalid') return state.inconclusive(target.reason)
  if (target.kind === 'range') {
    return compareVersions(actual, target.lower) >= 0 && compareVersions(actual, target.upper) < 0 ? TRUE : FALSE
  }
  const order = compareVersions(actual, target.version)
  switch (property.op) {
    case 'eq':
      return order === 0 ? TRUE : FALSE
    case 'neq':
      return order !== 0 ? TRUE : FALSE
    case 'gt':
      return order > 0 ? TRUE : FALSE
    case 'gte':
      return order >= 0 ? TRUE : FALSE
    case 'lt':
      return order < 0 ? TRUE : FALSE
    default:
      return order <= 0 ? TRUE : FALSE
  }
}

/** Matches a person or group property against the properties of this evaluation. */
export function matchValueProperty(
  state: EvaluationState,
  property: ValueProperty,
  values: Record<string, unknown>
): MatchResult {
  const key = property.key as string
  // `in` on purpose: inherited keys count, and a missing map throws (an error outcome) as upstream's did.
  if (!(key in values)) {
    if (property.kind === 'is_not_set') return TRUE
    return state.inconclusive(`Property ${key} not found in the given properties`)
  }
  if (property.kind === 'is_not_set') return FALSE
  if (property.kind === 'is_set') return TRUE
  const value = values[key]
  if (value == null && !(property.kind === 'exact' && property.negated)) return FALSE
  switch (property.kind) {
    case 'exact': {
      const text = String(value).toLowerCase()
      return property.targets.includes(text) !== property.negated ? TRUE : FALSE
    }
    case 'text':
      return textMatches(property.test, String(value).toLowerCase(), property.needle) !== property.negated
        ? TRUE
        : FALSE
    case 'regex':
      // An invalid pattern never matches, `not_regex` included.
      if (property.pattern === null) return FALSE
      if (property.pattern === UNSAFE_PATTERN) {
        return state.inconclusive(
          'Regex pattern could backtrack exponentially and uses what the linear-time engine lacks: not matched locally'
        )
      }
      {
        const matched = property.pattern.test(String(value))
        if (matched === undefined) {
          return state.inconclusive('Value too long to match this regex locally within the evaluation bound')
        }
        return matched !== property.negated ? TRUE : FALSE
      }
    case 'compare': {
      if (!Number.isNaN(property.number)) {
        const actual = typeof value === 'number' ? value : parseFloat(String(value))
        if (Number.isFinite(actual)) return compare(property.op, actual, property.number) ? TRUE : FALSE
      }
      return compare(property.op, String(value), property.text) ? TRUE : FALSE
    }
    case 'date':
      return matchDate(state, property.target, property.before, value)
    case 'semver':
      return matchVersion(state, property, value)
    default:
      return state.inconclusive(`Unknown operator: ${property.operator}`)
  }
}
