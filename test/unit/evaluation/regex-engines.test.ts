// The linear-time engine answers exactly what JavaScript's RegExp (no flags, as conditions are matched) answers, on
// every pattern it accepts; what it cannot promise that for, it refuses.
import { compileLinear } from '../../../src/evaluation/linear-pattern'
import { toRe2Syntax } from '../../../src/evaluation/re2-syntax'

const VALUES = [
  '',
  'a',
  'A',
  'abc',
  'US',
  'gb',
  'max@posthog.com',
  'https://app.posthog.com/path?x=1',
  'line\nnext',
  'a\n',
  '\na',
  'a\r',
  '\u2028',
  '\u2029',
  ' \t\v\f',
  '\u00a0',
  '\u3000x',
  '\ufeff',
  '\u0085',
  '12 34',
  '١٢٣',
  'Ünïcödé',
  'ſ',
  'K',
  '😀',
  '😀😀',
  '😀 emoji',
  '\ud83d',
  '\ude00x',
  'a{,3}',
  '{}',
  ']',
  'a-b',
  '\u0000',
  '\b',
  '/',
  '_word_',
]

const PATTERNS = [
  '^a',
  'a$',
  '^$',
  '.',
  '^.$',
  '^..$',
  '^.+$',
  '\\d',
  '\\D',
  '^\\d+$',
  '\\w+',
  '^\\W$',
  '\\s',
  '^\\s+$',
  '\\S',
  '[\\s\\S]',
  '^[^a]$',
  '[^]',
  '[]',
  '[]a]',
  '[a-]',
  '[-a]',
  '[a-z-0]',
  '[\\d-]',
  '[\\b]',
  '\\bword\\b',
  '\\B',
  '^\\x41',
  '\\u00a0',
  '\\0',
  '\\/',
  '\\.',
  'a{,3}',
  '{',
  '{}',
  ']',
  'a{2,3}',
  'a{0}',
  '(?:a|b)+',
  '(?<n>x)y',
  'US|GB',
  '(US|GB)+',
  '^(\\w+\\.)+com$',
  '^https?://[^/]+/',
  '😀',
  '^😀+$',
  '[😀]',
  '^[😀]$',
  '\\ud83d',
  '[\\ud800-\\udbff]',
  '^[\\u0000-\\uffff]+$',
  'ſ',
  'a*?b',
  'a+?$',
  '(a|)+',
  '()',
  '(|a)b',
  '^(?:a|ab)(?:c|bcd)(?:d*)$',
]

describe.each(PATTERNS)('%s', (pattern) => {
  const linear = compileLinear(pattern)
  it('is accepted by the linear engine', () => {
    expect(linear).not.toBeNull()
  })
  it.each(VALUES.map((value) => [JSON.stringify(value), value]))('answers as RegExp on %s', (_, value) => {
    expect(linear?.test(value)).toBe(new RegExp(pattern).test(value))
  })
})

test.each([
  '(a)\\1',
  '\\k<n>(?<n>a)',
  '(?=a)',
  '(?!a)b',
  '(?<=a)b',
  '(?<!a)b',
  '\\cA',
  '\\p{L}',
  '\\01',
  '\\8',
  '\\e',
  '[\\d-z]',
])('%s is refused: RE2 would not mean the same', (pattern) => {
  expect(() => new RegExp(pattern)).not.toThrow()
  expect(toRe2Syntax(pattern)).toBeNull()
})

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

test('random patterns and values: the same answer as RegExp whenever the linear engine accepts the pattern', () => {
  const random = rng(12)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
  const atoms = ['a', 'b', '.', '\\d', '\\w', '\\s', '\\W', '[ab]', '[^a]', '[a-c]', '😀', '\\n', '\\.', '{', ']', '-']
  const quantifiers = ['', '', '*', '+', '?', '{2}', '{1,3}', '{2,}', '*?', '+?']
  const pattern = (depth: number): string => {
    let out = ''
    const parts = 1 + Math.floor(random() * 4)
    for (let i = 0; i < parts; i++) {
      const roll = random()
      if (roll < 0.08) out += pick(['^', '$', '\\b'])
      else if (roll < 0.25 && depth < 3)
        out += `(${pattern(depth + 1)}${random() < 0.3 ? `|${pattern(depth + 1)}` : ''})`
      else out += pick(atoms)
      if (!out.endsWith('^') && !out.endsWith('$') && !out.endsWith('\\b')) out += pick(quantifiers)
    }
    return out
  }
  const chars = ['a', 'b', 'c', '1', ' ', '\n', '\r', '.', '😀', '\u2028', '\u00a0', '{', ']', '-', '\ud83d', 'é']
  let compared = 0
  const mismatches: string[] = []
  for (let i = 0; i < 3000; i++) {
    const source = pattern(0)
    let native: RegExp
    try {
      native = new RegExp(source)
    } catch {
      continue
    }
    const linear = compileLinear(source)
    if (linear === null) continue
    for (let j = 0; j < 5; j++) {
      let value = ''
      const length = Math.floor(random() * 8)
      for (let k = 0; k < length; k++) value += pick(chars)
      compared++
      if (linear.test(value) !== native.test(value)) mismatches.push(`${source} on ${JSON.stringify(value)}`)
    }
  }
  expect(mismatches).toEqual([])
  expect(compared).toBeGreaterThan(10000)
})
