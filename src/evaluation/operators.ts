// Property operators, with upstream's coercions kept on purpose (see spec §4.7 and §6.4): string-coerced
// case-insensitive `exact`, lexicographic comparison when the property value is a string, `parseFloat` NaN in numeric
// comparisons, `is_not_set` never decided locally, `is_set` false for null values.
import { dateValueMs, parseRelativeDate, relativeDateMs } from './dates'
import {
  BROKEN_COHORT,
  COHORT,
  EXACT,
  FAILED,
  FLAG,
  GT,
  GTE,
  ICONTAINS,
  IS_DATE_AFTER,
  IS_DATE_BEFORE,
  IS_NOT,
  IS_NOT_SET,
  IS_SET,
  LT,
  LTE,
  NOT_ICONTAINS,
  NOT_REGEX,
  PreparedProperty,
  REGEX,
  UNKNOWN_OPERATOR,
  type Dependency,
  type RelativeDate,
} from './model'
import { FALSE, TRUE, inconclusive, type MatchResult } from './result'

const OPERATORS: ReadonlyMap<string, number> = new Map([
  ['exact', EXACT],
  ['is_not', IS_NOT],
  ['is_set', IS_SET],
  ['icontains', ICONTAINS],
  ['not_icontains', NOT_ICONTAINS],
  ['regex', REGEX],
  ['not_regex', NOT_REGEX],
  ['gt', GT],
  ['gte', GTE],
  ['lt', LT],
  ['lte', LTE],
  ['is_date_before', IS_DATE_BEFORE],
  ['is_date_after', IS_DATE_AFTER],
  ['is_not_set', IS_NOT_SET],
])

const NO_DEPENDENCY: Dependency = Object.freeze({ chain: Object.freeze([]), expected: undefined })

function compileRegex(pattern: string): RegExp | null {
  try {
    return new RegExp(pattern)
  } catch {
    return null
  }
}

/** A person or group property: the operator and everything derived from the target. */
function prepareOperand(raw: Record<string, unknown>): PreparedProperty {
  const name = raw.operator || 'exact'
  const op = typeof name === 'string' ? (OPERATORS.get(name) ?? UNKNOWN_OPERATOR) : UNKNOWN_OPERATOR
  const target = raw.value
  const property = new PreparedProperty(op, raw.key, '', null)
  switch (op) {
    case EXACT:
    case IS_NOT:
      if (Array.isArray(target)) property.aux = target.map((element) => String(element).toLowerCase())
      else property.text = String(target).toLowerCase()
      break
    case ICONTAINS:
    case NOT_ICONTAINS:
      property.text = String(target).toLowerCase()
      break
    case REGEX:
    case NOT_REGEX:
      property.aux = compileRegex(String(target))
      break
    case GT:
    case GTE:
    case LT:
    case LTE:
      property.text = String(target)
      property.aux = typeof target === 'number' ? target : typeof target === 'string' ? parseFloat(target) : null
      break
    case IS_DATE_BEFORE:
    case IS_DATE_AFTER:
      if (typeof target === 'boolean') {
        property.aux = false
        break
      }
      property.text = String(target)
      property.aux =
        parseRelativeDate(property.text) ??
        dateValueMs(target instanceof Date || typeof target !== 'object' ? target : undefined) ??
        null
      break
    case UNKNOWN_OPERATOR:
      property.text = String(name)
      break
  }
  return property
}

function prepareDependency(raw: Record<string, unknown>): PreparedProperty {
  const target = String(raw.key)
  const property = new PreparedProperty(FLAG, target, '', NO_DEPENDENCY)
  if (!('dependency_chain' in raw)) {
    property.text = `Flag dependency property for '${target}' is missing required 'dependency_chain' field`
  } else if (!Array.isArray(raw.dependency_chain)) {
    property.text = `Flag dependency property for '${target}' has an invalid 'dependency_chain' (expected array, got ${typeof raw.dependency_chain})`
  } else if (raw.dependency_chain.length === 0) {
    property.text = `Circular dependency detected for flag '${target}' (empty dependency chain)`
  } else {
    property.aux = { chain: raw.dependency_chain.map((key) => String(key)), expected: raw.value }
  }
  return property
}

/**
 * Indexes one property. At flag level (`inCohort` false) flag properties are dependencies; inside cohorts they are
 * skipped (returned as FLAG with no chain, never evaluated). Negation is the caller's business: it only applies in
 * cohorts.
 */
export function prepareProperty(raw: Record<string, unknown>, inCohort: boolean): PreparedProperty {
  const type = raw.type
  try {
    if (type === 'cohort') return new PreparedProperty(COHORT, raw.key, String(raw.value), undefined)
    if (type === 'flag')
      return inCohort ? new PreparedProperty(FLAG, raw.key, '', NO_DEPENDENCY) : prepareDependency(raw)
    return prepareOperand(raw)
  } catch (failure) {
    // Only values that are not JSON get here (a toString that throws). Kept to be rethrown where upstream threw.
    return new PreparedProperty(type === 'cohort' ? BROKEN_COHORT : FAILED, raw.key, '', failure)
  }
}

function compare(op: number, left: unknown, right: unknown): boolean {
  // The operands keep their JS types on purpose: relational operators coerce exactly as upstream's did.
  const l = left as number
  const r = right as number
  if (op === GT) return l > r
  if (op === GTE) return l >= r
  if (op === LT) return l < r
  return l <= r
}

function matchDate(property: PreparedProperty, value: unknown): MatchResult {
  const aux = property.aux
  let target: number
  if (typeof aux === 'number') target = aux
  else if (aux === false) return inconclusive('Date operations cannot be performed on boolean values')
  else if (aux === null) return inconclusive(`Invalid date: ${property.text}`)
  else target = relativeDateMs((aux as RelativeDate).amount, (aux as RelativeDate).unit, Date.now())
  const actual = dateValueMs(value)
  if (actual === undefined) return inconclusive(`${String(value)} is not a valid date`)
  if (property.op === IS_DATE_BEFORE) return actual < target ? TRUE : FALSE
  return actual > target ? TRUE : FALSE
}

function exactMatch(property: PreparedProperty, value: unknown): boolean {
  const text = String(value).toLowerCase()
  const elements = property.aux as string[] | null
  return elements !== null ? elements.includes(text) : property.text === text
}

/** Matches a person or group property against the properties of this evaluation. */
export function matchProperty(property: PreparedProperty, values: Record<string, unknown>): MatchResult {
  const key = property.key as string
  // `in` on purpose: inherited keys count, and a missing map throws (an error outcome) as upstream's did.
  if (!(key in values)) return inconclusive(`Property ${key} not found in the given properties`)
  const op = property.op
  if (op === IS_NOT_SET) return inconclusive('Operator is_not_set is not supported locally')
  const value = values[key]
  if (value == null && op !== IS_NOT) return FALSE
  switch (op) {
    case EXACT:
      return exactMatch(property, value) ? TRUE : FALSE
    case IS_NOT:
      return exactMatch(property, value) ? FALSE : TRUE
    case IS_SET:
      return TRUE
    case ICONTAINS:
      return String(value).toLowerCase().includes(property.text) ? TRUE : FALSE
    case NOT_ICONTAINS:
      return String(value).toLowerCase().includes(property.text) ? FALSE : TRUE
    case REGEX:
      return property.aux !== null && (property.aux as RegExp).test(String(value)) ? TRUE : FALSE
    case NOT_REGEX:
      return property.aux !== null && !(property.aux as RegExp).test(String(value)) ? TRUE : FALSE
    case GT:
    case GTE:
    case LT:
    case LTE:
      if (property.aux === null) return compare(op, String(value), property.text) ? TRUE : FALSE
      if (typeof value === 'string') return compare(op, value, property.text) ? TRUE : FALSE
      return compare(op, value, property.aux) ? TRUE : FALSE
    case IS_DATE_BEFORE:
    case IS_DATE_AFTER:
      return matchDate(property, value)
    case FAILED:
      throw property.aux
    default:
      return inconclusive(`Unknown operator: ${property.text}`)
  }
}
