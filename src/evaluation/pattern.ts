// Regex conditions. Patterns come from the definitions, which anyone who can write to a shared cache controls, so
// matching must stay bounded whatever the pattern.
export interface Pattern {
  test(value: string): boolean
}

/** Compiles a `regex` / `not_regex` target; null when it is not a valid JavaScript pattern. */
export function compilePattern(source: string): Pattern | null {
  try {
    return new RegExp(source)
  } catch {
    return null
  }
}
