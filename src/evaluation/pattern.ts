// Regex conditions. Patterns come from the definitions, which anyone who can write to a shared cache controls, so
// a pattern must not be able to stall evaluation. JavaScript's engine backtracks: the forms that make it take
// exponential time are a repeated group that itself repeats or alternates (`(a+)+`, `(a|aa)*`) and backreferences.
// Any other pattern with k repeating quantifiers and alternations of b1, b2... branches costs at most about
// b1 * b2 * ... * (n + 1)^(k + 1) steps on a value of length n (where each repetition ends and which branch is
// taken, at each start position), so JavaScript's engine, which upstream uses, matches it when that bound is within
// MAX_STEPS. Every other pattern and value goes to the linear-time engine (linear-pattern.ts), which answers the
// same; what neither can match within its bound (backreferences, lookarounds in a risky pattern, huge programs on
// long values) is inconclusive and the server decides.

import { type LinearPattern, compileLinear } from './linear-pattern'

/** About 10 ms of backtracking at worst (about 1 ns a step). */
export const MAX_STEPS = 1e7

export interface Pattern {
  /** Whether the value matches; undefined when neither engine can match it within its bound (inconclusive). */
  test(value: string): boolean | undefined
}

/** A pattern refused locally (exponential for JavaScript, inexpressible in RE2): matching answers inconclusive. */
export const UNSAFE_PATTERN = 'unsafe'

/** Whether a `{...}` at `i` is a quantifier that can repeat more than once (`{2}`, `{1,}`, `{0,5}`). */
function repeatsAt(source: string, i: number): { repeats: boolean; end: number } | null {
  const match = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i))
  if (!match) return null
  const max = match[2] === undefined ? Number(match[1]) : match[3] === '' ? Infinity : Number(match[3])
  return { repeats: max > 1, end: i + match[0].length }
}

/**
 * How many repeating quantifiers (`*`, `+`, `{n,}`, `{n,m}` with m > 1) the pattern has outside classes, and the
 * product of the branch counts of its alternations (each group, and the pattern itself, counts its own `|`).
 */
export function choicePoints(source: string): { quantifiers: number; branches: number } {
  let quantifiers = 0
  let branches = 1
  /** `|` seen so far at each open level; the first entry is the pattern's top level. */
  const alternatives = [0]
  for (let i = 0; i < source.length; i++) {
    const char = source[i]
    if (char === '\\') {
      i++
    } else if (char === '[') {
      for (i++; i < source.length && source[i] !== ']'; i++) {
        if (source[i] === '\\') i++
      }
    } else if (char === '(') {
      alternatives.push(0)
    } else if (char === ')') {
      if (alternatives.length > 1) branches *= (alternatives.pop() as number) + 1
    } else if (char === '|') {
      alternatives[alternatives.length - 1]++
    } else if (char === '*' || char === '+') {
      quantifiers++
    } else if (char === '{') {
      const quantifier = repeatsAt(source, i)
      if (quantifier) {
        if (quantifier.repeats) quantifiers++
        i = quantifier.end - 1
      }
    }
  }
  for (const count of alternatives) branches *= count + 1
  return { quantifiers, branches }
}

/**
 * True when the pattern can backtrack exponentially: a quantifier that repeats (`*`, `+`, `{n,}`, `{n,m}` with
 * m > 1) applied to a group containing a repeating quantifier or an alternation, or a backreference.
 */
export function backtracksExponentially(source: string): boolean {
  /** Per open group: whether its body repeats or alternates so far. */
  const open: boolean[] = []
  let lastGroupRisky = false
  let afterGroup = false
  for (let i = 0; i < source.length; i++) {
    const char = source[i]
    let repeats = false
    if (char === '\\') {
      const next = source[i + 1]
      if ((next >= '1' && next <= '9') || next === 'k') return true
      i++
      afterGroup = false
      continue
    }
    if (char === '[') {
      // Skip the class: nothing inside it is a quantifier or a group.
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++
      afterGroup = false
      continue
    }
    if (char === '(') {
      open.push(false)
      afterGroup = false
      continue
    }
    if (char === ')') {
      lastGroupRisky = open.pop() ?? false
      // The group's risk is carried to its parent: a group inside a repeated group counts.
      if (lastGroupRisky && open.length > 0) open[open.length - 1] = true
      afterGroup = true
      continue
    }
    if (char === '|') {
      if (open.length > 0) open[open.length - 1] = true
      afterGroup = false
      continue
    }
    if (char === '*' || char === '+') repeats = true
    else if (char === '{') {
      const quantifier = repeatsAt(source, i)
      if (quantifier) {
        repeats = quantifier.repeats
        i = quantifier.end - 1
      }
    }
    if (repeats) {
      if (afterGroup && lastGroupRisky) return true
      if (open.length > 0) open[open.length - 1] = true
    }
    // A lazy or possessive marker right after a quantifier keeps it attached to the same group.
    if (!(char === '?' && afterGroup)) afterGroup = false
  }
  return false
}

/**
 * Compiles a `regex` / `not_regex` target: null when it is not a valid JavaScript pattern, UNSAFE_PATTERN when
 * JavaScript's engine could stall on it and RE2 cannot match it with the same meaning.
 */
export function compilePattern(source: string): Pattern | null | typeof UNSAFE_PATTERN {
  let compiled: RegExp
  try {
    compiled = new RegExp(source)
  } catch {
    return null
  }
  const exponential = backtracksExponentially(source)
  // Rewritten for RE2 up front only when every value needs it; otherwise on the first value too long for JavaScript's
  // bound (most definition sets never have one, and the rewritten pattern is larger than the source).
  let linear: LinearPattern | null | undefined = exponential ? compileLinear(source) : undefined
  if (linear === null) return UNSAFE_PATTERN
  // The longest value JavaScript's engine may match against this pattern within MAX_STEPS.
  const { quantifiers, branches } = choicePoints(source)
  const maxLength = exponential ? -1 : Math.floor(Math.pow(MAX_STEPS / branches, 1 / (quantifiers + 1))) - 1
  return {
    test(value) {
      if (value.length <= maxLength) return compiled.test(value)
      if (linear === undefined) linear = compileLinear(source)
      return linear === null ? undefined : linear.test(value)
    },
  }
}
