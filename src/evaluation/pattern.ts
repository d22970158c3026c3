// Regex conditions. Patterns come from the definitions, which anyone who can write to a shared cache controls, so
// a pattern must not be able to stall evaluation. JavaScript's engine backtracks: the forms that make it take
// exponential time are a repeated group that itself repeats or alternates (`(a+)+`, `(a|aa)*`) and backreferences.
// Such patterns are not matched locally (the condition is inconclusive, so the server decides); every other pattern
// is matched by the JavaScript engine exactly as upstream matches it, in time polynomial in the value's length.

export interface Pattern {
  test(value: string): boolean
}

/** A pattern refused locally: matching answers inconclusive. */
export const UNSAFE_PATTERN = 'unsafe'

/** Whether a `{...}` at `i` is a quantifier that can repeat more than once (`{2}`, `{1,}`, `{0,5}`). */
function repeatsAt(source: string, i: number): { repeats: boolean; end: number } | null {
  const match = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i))
  if (!match) return null
  const max = match[2] === undefined ? Number(match[1]) : match[3] === '' ? Infinity : Number(match[3])
  return { repeats: max > 1, end: i + match[0].length }
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
 * Compiles a `regex` / `not_regex` target: null when it is not a valid JavaScript pattern, UNSAFE_PATTERN when it
 * could stall evaluation.
 */
export function compilePattern(source: string): Pattern | null | typeof UNSAFE_PATTERN {
  let compiled: RegExp
  try {
    compiled = new RegExp(source)
  } catch {
    return null
  }
  return backtracksExponentially(source) ? UNSAFE_PATTERN : compiled
}
