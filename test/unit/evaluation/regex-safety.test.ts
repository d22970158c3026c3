// Regex conditions cannot stall evaluation: patterns that could backtrack exponentially are not matched locally.
import { MAX_STEPS, backtracksExponentially, choicePoints } from '../../../src/evaluation/pattern'
import { matches, person } from './helpers'

test('a catastrophic pattern against a long value answers inconclusive at once', () => {
  const started = performance.now()
  expect(matches(person('name', 'regex', '^(a+)+$'), { name: `${'a'.repeat(50000)}!` })).toBe('inconclusive')
  expect(matches(person('name', 'not_regex', '(a|aa)*$'), { name: `${'a'.repeat(50000)}!` })).toBe('inconclusive')
  expect(performance.now() - started).toBeLessThan(100)
})

test.each(['^(a+)+$', '(a*)*b', '(x+x+)+y', '(a|aa)*c', '(\\w+\\s?)+$', '(a{1,5}){2,}', '(.)\\1', '(?<n>a)\\k<n>'])(
  '%s is refused locally',
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
])('%s is matched as upstream matches it', (pattern) => {
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

test('a chain of alternations whose paths multiply past the bound is inconclusive, never explored', () => {
  const pattern = `${'(a|a)'.repeat(40)}b`
  const started = performance.now()
  expect(matches(person('name', 'regex', pattern), { name: 'a'.repeat(40) })).toBe('inconclusive')
  expect(performance.now() - started).toBeLessThan(100)
})

test('a pattern is matched locally only on values short enough for its bound, and inconclusive beyond', () => {
  // Four repeating quantifiers: at most (n + 1)^5 steps, within MAX_STEPS up to n = 24.
  const pattern = 'a*a*a*a*b'
  expect(matches(person('name', 'regex', pattern), { name: 'a'.repeat(24) })).toBe(false)
  const started = performance.now()
  expect(matches(person('name', 'regex', pattern), { name: 'a'.repeat(5000) })).toBe('inconclusive')
  expect(performance.now() - started).toBeLessThan(100)
  // One quantifier: long values are still matched.
  expect(matches(person('name', 'regex', '^a+$'), { name: 'a'.repeat(3000) })).toBe(true)
  expect(MAX_STEPS).toBe(1e7)
})
