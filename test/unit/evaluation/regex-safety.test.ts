// Regex conditions cannot stall evaluation: patterns and values JavaScript's backtracking engine could explode on are
// matched by a linear-time engine (RE2) with the same answers; what neither can match within its bound is inconclusive.
import { LINEAR_MAX_PROGRAM, LINEAR_MAX_STEPS, compileLinear } from '../../../src/evaluation/linear-pattern'
import {
  MAX_STEPS,
  UNSAFE_PATTERN,
  backtracksExponentially,
  choicePoints,
  compilePattern,
} from '../../../src/evaluation/pattern'
import { matches, person } from './helpers'

/**
 * Wall-clock bound asserted for one match on 50,000 characters: the stated bound is about 0.15 s (2e6 steps), and
 * these take 3-25 ms warm; the rest is slack for a first, cold match on a loaded shared machine.
 */
const LONG_VALUE_MS = 500

const timed = <T>(run: () => T): { result: T; ms: number } => {
  const started = performance.now()
  const result = run()
  return { result, ms: performance.now() - started }
}

describe('patterns JavaScript would backtrack on exponentially are answered locally, correctly and quickly', () => {
  test.each([
    ['(US|GB)+', 'x'.repeat(50000), false],
    ['(US|GB)+', `${'x'.repeat(50000)}GB`, true],
    ['^(\\w+\\.)+com$', `${'ab.'.repeat(16666)}com`, true],
    ['^(\\w+\\.)+com$', `${'ab.'.repeat(16666)}co`, false],
    ['^(a+)+$', `${'a'.repeat(50000)}!`, false],
    ['^(a+)+$', 'a'.repeat(50000), true],
    ['(a|aa)*c$', `${'a'.repeat(50000)}!`, false],
    ['(\\w+\\s?)+$', `${'word '.repeat(10000)}!`, false],
  ])('%s against %#: %s', (pattern, value, expected) => {
    const { result, ms } = timed(() => matches(person('name', 'regex', pattern), { name: value }))
    expect(result).toBe(expected)
    expect(ms).toBeLessThan(LONG_VALUE_MS)
  })

  test('not_regex is the negation', () => {
    expect(matches(person('name', 'not_regex', '^(a+)+$'), { name: `${'a'.repeat(50000)}!` })).toBe(true)
  })

  test('short values of these patterns answer as JavaScript does', () => {
    for (const [pattern, value] of [
      ['(US|GB)+', 'GB'],
      ['^(\\w+\\.)+com$', 'www.posthog.com'],
      ['^(\\w+\\.)+com$', 'posthog.org'],
      ['^(a+)+$', 'aaa'],
    ]) {
      expect(matches(person('name', 'regex', pattern), { name: value })).toBe(new RegExp(pattern).test(value))
    }
  })
})

describe('what neither engine can match safely stays inconclusive, at once', () => {
  test.each(['^(a+)+\\1$', '(a*)*\\1b', '(?=a)(a+)+$', '(a+)+(?!b)$', '(?<=x)(a|aa)*c'])('%s', (pattern) => {
    expect(compilePattern(pattern)).toBe(UNSAFE_PATTERN)
    const { result, ms } = timed(() => matches(person('name', 'regex', pattern), { name: `${'a'.repeat(50000)}!` }))
    expect(result).toBe('inconclusive')
    expect(ms).toBeLessThan(100)
  })

  test('a lookahead JavaScript matches within its bound answers locally, beyond it inconclusive', () => {
    // Two repeating quantifiers: JavaScript's engine is trusted up to 214 characters; RE2 has no lookaheads.
    const pattern = '^(?=.*@).+$'
    expect(matches(person('email', 'regex', pattern), { email: 'max@posthog.com' })).toBe(true)
    const { result, ms } = timed(() => matches(person('email', 'regex', pattern), { email: 'a'.repeat(50000) }))
    expect(result).toBe('inconclusive')
    expect(ms).toBeLessThan(100)
  })

  test('a large program on a long value is inconclusive; on a short one it answers', () => {
    // About 4,000 instructions: within LINEAR_MAX_STEPS up to a few hundred characters.
    const pattern = '^(a|b){1000}x'
    expect(matches(person('name', 'regex', pattern), { name: `${'ab'.repeat(500)}x` })).toBe(true)
    const { result, ms } = timed(() => matches(person('name', 'regex', pattern), { name: 'ab'.repeat(25000) }))
    expect(result).toBe('inconclusive')
    expect(ms).toBeLessThan(100)
    expect(LINEAR_MAX_STEPS).toBe(2e6)
  })

  test('a pattern whose program would be huge is never compiled', () => {
    expect(compileLinear('((a{1000}){1000})x')).toBeNull()
    expect(compileLinear(`${'(a|b)'.repeat(LINEAR_MAX_PROGRAM / 2)}`)).toBeNull()
    const { result, ms } = timed(() => compilePattern('((a{1000}){1000})x'))
    expect(result).toBe(UNSAFE_PATTERN)
    expect(ms).toBeLessThan(100)
  })
})

test.each(['^(a+)+$', '(a*)*b', '(x+x+)+y', '(a|aa)*c', '(\\w+\\s?)+$', '(a{1,5}){2,}', '(.)\\1', '(?<n>a)\\k<n>'])(
  '%s is left to the linear-time engine (or refused)',
  (pattern) => {
    expect(backtracksExponentially(pattern)).toBe(true)
  }
)

test.each([
  '^a',
  'posthog\\.com$',
  '(?<x>p)ro',
  '\\d+',
  'US|GB',
  '^$',
  '.*',
  '^[a-z]+@[a-z]+\\.(com|org)$',
  '(ab)+',
  '[(a+)+]',
  'a{2}',
  '(a+)?',
])('%s is matched by JavaScript, as upstream matches it', (pattern) => {
  expect(backtracksExponentially(pattern)).toBe(false)
})

test('ordinary patterns still match locally', () => {
  expect(matches(person('email', 'regex', '^[a-z]+@posthog\\.com$'), { email: 'max@posthog.com' })).toBe(true)
  expect(matches(person('email', 'not_regex', 'posthog'), { email: 'max@example.com' })).toBe(true)
})

test.each([
  ['^a', 0, 1],
  ['\\d+', 1, 1],
  ['^[a-z]+@[a-z]+\\.(com|org)$', 2, 2],
  ['[*+|]a{1}b{1,3}c{2,}', 2, 1],
  ['.*.*.*x', 3, 1],
  ['US|GB|DE', 0, 3],
  ['(a|b)(c|d|e)x', 0, 6],
])('%s has %i repeating quantifiers and %i alternative paths', (pattern, quantifiers, branches) => {
  expect(choicePoints(pattern)).toEqual({ quantifiers, branches })
})

test('a chain of alternations whose paths multiply past the JavaScript bound is answered by the linear engine', () => {
  const pattern = `${'(a|a)'.repeat(40)}b`
  const { result, ms } = timed(() => matches(person('name', 'regex', pattern), { name: 'a'.repeat(40) }))
  expect(result).toBe(false)
  expect(matches(person('name', 'regex', pattern), { name: `${'a'.repeat(40)}b` })).toBe(true)
  expect(ms).toBeLessThan(100)
})

test('values too long for the JavaScript bound go to the linear engine', () => {
  // Four repeating quantifiers: JavaScript's engine is trusted up to 24 characters ((n + 1)^5 within MAX_STEPS).
  const pattern = 'a*a*a*a*b'
  expect(matches(person('name', 'regex', pattern), { name: 'a'.repeat(24) })).toBe(false)
  const { result, ms } = timed(() => matches(person('name', 'regex', pattern), { name: 'a'.repeat(5000) }))
  expect(result).toBe(false)
  expect(ms).toBeLessThan(100)
  expect(matches(person('name', 'regex', pattern), { name: `${'a'.repeat(5000)}b` })).toBe(true)
  expect(MAX_STEPS).toBe(1e7)
})

test('an inline flag such as (?i) is not JavaScript syntax: neither regex nor not_regex matches, as upstream', () => {
  for (const pattern of ['(?i)^max@', '(?i)(us|gb)+']) {
    expect(compilePattern(pattern)).toBeNull()
    expect(matches(person('email', 'regex', pattern), { email: 'MAX@posthog.com' })).toBe(false)
    expect(matches(person('email', 'not_regex', pattern), { email: 'MAX@posthog.com' })).toBe(false)
  }
})
