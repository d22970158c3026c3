// Property operators, with upstream's coercions kept on purpose (see spec §4.7 and §6.4): string-coerced
// case-insensitive `exact`, lexicographic comparison when the property value is a string, `is_not_set` never decided
// locally, `is_set` false for null values.
import { dateValueMs, parseRelativeDate, relativeDateMs } from './dates'
import {
  BROKEN,
  COHORT,
  DATE_ABSOLUTE,
  DATE_BOOLEAN,
  DATE_INVALID,
  DATE_RELATIVE,
  EXACT,
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
  PROPERTY,
  REGEX,
  UNKNOWN_OPERATOR,
  type PreparedProperty,
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

function compileRegex(pattern: string): RegExp | null {
  try {
    return new RegExp(pattern)
  } catch {
    return null
  }
}

type MutableProperty = {
  -readonly [K in keyof PreparedProperty]: PreparedProperty[K]
}

function blankProperty(kind: number, raw: Record<string, unknown>): MutableProperty {
  return {
    kind,
    key: raw.key,
    operator: UNKNOWN_OPERATOR,
    operatorName: raw.operator,
    negation: false,
    value: raw.value,
    text: '',
    textSet: null,
    number: null,
    regex: null,
    dateKind: DATE_INVALID,
    dateValue: 0,
    dateUnit: '',
    cohortId: '',
    cohort: undefined,
    chainProblem: '',
    chain: [],
    failure: undefined,
  }
}

function prepareOperand(property: MutableProperty): void {
  const operatorName = property.operatorName || 'exact'
  property.operatorName = operatorName
  const operator =
    typeof operatorName === 'string' ? (OPERATORS.get(operatorName) ?? UNKNOWN_OPERATOR) : UNKNOWN_OPERATOR
  property.operator = operator
  const target = property.value
  switch (operator) {
    case EXACT:
    case IS_NOT:
      if (Array.isArray(target)) property.textSet = new Set(target.map((element) => String(element).toLowerCase()))
      else property.text = String(target).toLowerCase()
      break
    case ICONTAINS:
    case NOT_ICONTAINS:
      property.text = String(target).toLowerCase()
      break
    case REGEX:
    case NOT_REGEX:
      property.text = String(target)
      property.regex = compileRegex(property.text)
      break
    case GT:
    case GTE:
    case LT:
    case LTE:
      property.text = String(target)
      property.number = typeof target === 'number' ? target : typeof target === 'string' ? parseFloat(target) : null
      break
    case IS_DATE_BEFORE:
    case IS_DATE_AFTER: {
      if (typeof target === 'boolean') {
        property.dateKind = DATE_BOOLEAN
        break
      }
      property.text = String(target)
      const relative = parseRelativeDate(property.text)
      if (relative) {
        property.dateKind = DATE_RELATIVE
        property.dateValue = relative.amount
        property.dateUnit = relative.unit
        break
      }
      const absolute = dateValueMs(target instanceof Date ? target : typeof target === 'object' ? undefined : target)
      if (absolute !== undefined) {
        property.dateKind = DATE_ABSOLUTE
        property.dateValue = absolute
      }
      break
    }
  }
}

/**
 * Indexes one property. `inCohort` selects cohort semantics: there `negation` applies, and flag properties are
 * skipped; at flag level `negation` is ignored and flag properties are dependencies.
 */
export function prepareProperty(raw: Record<string, unknown>, inCohort: boolean): PreparedProperty {
  const type = raw.type
  const kind = type === 'cohort' ? COHORT : type === 'flag' ? FLAG : PROPERTY
  const property = blankProperty(kind, raw)
  try {
    property.negation = inCohort && !!raw.negation
    if (kind === COHORT) {
      property.cohortId = String(raw.value)
    } else if (kind === FLAG) {
      if (!inCohort) prepareDependency(property, raw)
    } else {
      prepareOperand(property)
    }
  } catch (failure) {
    // Only values that are not JSON get here. The failure is rethrown where upstream would have thrown it.
    if (kind === PROPERTY) property.operator = UNKNOWN_OPERATOR
    else property.kind = BROKEN
    property.failure = failure
  }
  return property
}

function prepareDependency(property: MutableProperty, raw: Record<string, unknown>): void {
  const target = String(raw.key)
  if (!('dependency_chain' in raw)) {
    property.chainProblem = `Flag dependency property for '${target}' is missing required 'dependency_chain' field`
    return
  }
  const chain = raw.dependency_chain
  if (!Array.isArray(chain)) {
    property.chainProblem = `Flag dependency property for '${target}' has an invalid 'dependency_chain' (expected array, got ${typeof chain})`
    return
  }
  if (chain.length === 0) {
    property.chainProblem = `Circular dependency detected for flag '${target}' (empty dependency chain)`
    return
  }
  property.chain = chain.map((key) => String(key))
}

/** `exact`: the value's string form equals the target's (or one of its elements), ignoring case. */
function exactMatch(property: PreparedProperty, value: unknown): boolean {
  const text = String(value).toLowerCase()
  return property.textSet !== null ? property.textSet.has(text) : property.text === text
}

function compare(operator: number, left: unknown, right: unknown): boolean {
  // The operands keep their JS types on purpose: relational operators coerce exactly as upstream's did.
  const l = left as number
  const r = right as number
  if (operator === GT) return l > r
  if (operator === GTE) return l >= r
  if (operator === LT) return l < r
  return l <= r
}

function matchDate(property: PreparedProperty, value: unknown): MatchResult {
  let target: number
  if (property.dateKind === DATE_RELATIVE) target = relativeDateMs(property.dateValue, property.dateUnit, Date.now())
  else if (property.dateKind === DATE_ABSOLUTE) target = property.dateValue
  else if (property.dateKind === DATE_BOOLEAN)
    return inconclusive('Date operations cannot be performed on boolean values')
  else return inconclusive(`Invalid date: ${property.text}`)
  const actual = dateValueMs(value)
  if (actual === undefined) return inconclusive(`${String(value)} is not a valid date`)
  if (property.operator === IS_DATE_BEFORE) return actual < target ? TRUE : FALSE
  return actual > target ? TRUE : FALSE
}

/** Matches a person or group property against the properties of this evaluation. */
export function matchProperty(property: PreparedProperty, values: Record<string, unknown>): MatchResult {
  const key = property.key as string
  // `in` on purpose (inherited keys count, and a missing map throws like upstream's did).
  if (!(key in values)) return inconclusive(`Property ${key} not found in the given properties`)
  const operator = property.operator
  if (operator === IS_NOT_SET) return inconclusive('Operator is_not_set is not supported locally')
  const value = values[key]
  if (value == null && operator !== IS_NOT) return FALSE
  switch (operator) {
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
      return property.regex !== null && property.regex.test(String(value)) ? TRUE : FALSE
    case NOT_REGEX:
      return property.regex !== null && !property.regex.test(String(value)) ? TRUE : FALSE
    case GT:
    case GTE:
    case LT:
    case LTE:
      if (property.number === null) return compare(operator, String(value), property.text) ? TRUE : FALSE
      if (typeof value === 'string') return compare(operator, value, property.text) ? TRUE : FALSE
      return compare(operator, value, property.number) ? TRUE : FALSE
    case IS_DATE_BEFORE:
    case IS_DATE_AFTER:
      return matchDate(property, value)
    default:
      if (property.failure !== undefined) throw property.failure
      return inconclusive(`Unknown operator: ${String(property.operatorName)}`)
  }
}
