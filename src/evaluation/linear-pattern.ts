// Matching without backtracking, for the patterns and values the backtracking engine cannot be trusted with. RE2
// (its JavaScript port, re2js) simulates the pattern's automaton over the value once: a match costs at most about
// one step per program instruction per character, whatever the pattern, so the bound is known before matching.
import { RE2JS } from 're2js'
import { toCodePoints, toRe2Syntax } from './re2-syntax'

/**
 * Program instructions times value characters allowed for one match. Measured at no more than about 65 ns a step,
 * so at most about 0.15 s; most patterns take a small fraction of that (`^(a+)+$` on 50,000 characters: 3-25 ms).
 */
export const LINEAR_MAX_STEPS = 2e6

/** The largest program (estimated instructions) compiled at all: compiling is linear in it too. */
export const LINEAR_MAX_PROGRAM = 10_000

export interface LinearPattern {
  /** Whether the value matches; undefined when the match could exceed LINEAR_MAX_STEPS. */
  test(value: string): boolean | undefined
}

/**
 * A linear-time matcher answering as `new RegExp(source).test(value)` would, or null when the pattern cannot be
 * rewritten for RE2 with the same meaning (see re2-syntax.ts) or is too large. Compiled on first use.
 */
export function compileLinear(source: string): LinearPattern | null {
  const rewritten = toRe2Syntax(source)
  if (rewritten === null || rewritten.size > LINEAR_MAX_PROGRAM) return null
  let compiled: { re: RE2JS; instructions: number } | null | undefined
  return {
    test(value) {
      if (compiled === undefined) {
        try {
          const re = RE2JS.compile(rewritten.source)
          compiled = { re, instructions: Number(re.re2().numberOfInstructions()) }
        } catch {
          compiled = null
        }
      }
      if (compiled === null || compiled.instructions * (value.length + 1) > LINEAR_MAX_STEPS) return undefined
      // The matcher (one-pass, bit-state or NFA simulation) rather than `test()`: re2js's lazy DFA is usually
      // faster but can rebuild its state cache at every character, costing far more per step than the simulation.
      try {
        return compiled.re.matcher(toCodePoints(value)).find()
      } catch {
        // An engine fault (never seen) leaves this condition to the server rather than failing the flag.
        return undefined
      }
    },
  }
}
