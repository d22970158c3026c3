// Rewrites a JavaScript pattern (no flags, the way conditions are matched) into RE2 syntax with the same meaning for
// a `test()`, or answers null when it cannot promise that. The two engines read the same text differently: JavaScript
// without the `u` flag matches UTF-16 code units where RE2 matches code points, its `.` also refuses `\r`, U+2028 and
// U+2029, its `\s` knows Unicode spaces, `[]` is an empty class rather than the start of one holding `]`, and a `{`
// that starts no quantifier is a literal. So nothing is passed through as written: every character is spelled as
// a code point and every class as explicit ranges. A surrogate code unit u (which RE2 would pair up or treat apart
// from JavaScript) is spelled as the private-use code point 0xF0000 + (u - 0xD800), and values are mapped the same
// way (see `toCodePoints`), so that one code unit is always one code point on both sides. Backreferences,
// lookarounds and anything unusual answer null: such a pattern is never handed to RE2.

/** A rewritten pattern and an upper estimate of the size of its compiled program (instructions). */
export interface Re2Pattern {
  readonly source: string
  readonly size: number
}

/** Inclusive ranges of UTF-16 code units, as [from, to] pairs. */
type Ranges = Array<[number, number]>

const SURROGATES_FROM = 0xd800
const SURROGATES_TO = 0xdfff
const SURROGATE_PLANE = 0xf0000
/** The largest count RE2 accepts in `{n,m}`. */
const MAX_REPEAT = 1000

const DIGITS: Ranges = [[0x30, 0x39]]
const WORD: Ranges = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
]
/** JavaScript's `\s`: WhiteSpace and LineTerminator code points, all in the BMP. */
const SPACE: Ranges = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
]
/** What `.` matches without the `s` flag: everything but the line terminators. */
const NOT_LINE_TERMINATOR: Ranges = complement([
  [0x0a, 0x0a],
  [0x0d, 0x0d],
  [0x2028, 0x2029],
])

function complement(ranges: Ranges): Ranges {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0])
  const result: Ranges = []
  let next = 0
  for (const [from, to] of sorted) {
    if (from > next) result.push([next, from - 1])
    next = Math.max(next, to + 1)
  }
  if (next <= 0xffff) result.push([next, 0xffff])
  return result
}

/** The code point standing for a UTF-16 code unit on the RE2 side. */
function codePointOf(unit: number): number {
  return unit >= SURROGATES_FROM && unit <= SURROGATES_TO ? SURROGATE_PLANE + (unit - SURROGATES_FROM) : unit
}

const spell = (codePoint: number): string => `\\x{${codePoint.toString(16)}}`

/** A class of code units spelled as RE2 code point ranges; surrogate parts move to their private-use stand-ins. */
function spellClass(ranges: Ranges): string {
  const parts: string[] = []
  for (const [from, to] of ranges) {
    const pieces: Ranges = []
    if (from < SURROGATES_FROM) pieces.push([from, Math.min(to, SURROGATES_FROM - 1)])
    if (to >= SURROGATES_FROM && from <= SURROGATES_TO) {
      pieces.push([Math.max(from, SURROGATES_FROM), Math.min(to, SURROGATES_TO)])
    }
    if (to > SURROGATES_TO) pieces.push([Math.max(from, SURROGATES_TO + 1), to])
    for (const [a, b] of pieces) {
      parts.push(a === b ? spell(codePointOf(a)) : `${spell(codePointOf(a))}-${spell(codePointOf(b))}`)
    }
  }
  // An empty class matches nothing; RE2 has no `[]`, but a class of every code point negated is the same.
  return parts.length === 0 ? '[^\\x{0}-\\x{10ffff}]' : `[${parts.join('')}]`
}

/** A value as RE2 must see it: each surrogate code unit replaced by its stand-in (other values are unchanged). */
export function toCodePoints(value: string): string {
  if (!/[\ud800-\udfff]/.test(value)) return value
  let result = ''
  for (let i = 0; i < value.length; i++) result += String.fromCodePoint(codePointOf(value.charCodeAt(i)))
  return result
}

class Unsupported extends Error {}

/** A single-character escape after `\` (outside or inside a class): its code unit, or a class of them. */
function escapeAt(source: string, i: number, inClass: boolean): { ranges: Ranges; single: boolean; end: number } {
  const char = source[i]
  const unit = (code: number, end: number) => ({ ranges: [[code, code]] as Ranges, single: true, end })
  switch (char) {
    case 'd':
      return { ranges: DIGITS, single: false, end: i + 1 }
    case 'D':
      return { ranges: complement(DIGITS), single: false, end: i + 1 }
    case 'w':
      return { ranges: WORD, single: false, end: i + 1 }
    case 'W':
      return { ranges: complement(WORD), single: false, end: i + 1 }
    case 's':
      return { ranges: SPACE, single: false, end: i + 1 }
    case 'S':
      return { ranges: complement(SPACE), single: false, end: i + 1 }
    case 't':
      return unit(0x09, i + 1)
    case 'n':
      return unit(0x0a, i + 1)
    case 'v':
      return unit(0x0b, i + 1)
    case 'f':
      return unit(0x0c, i + 1)
    case 'r':
      return unit(0x0d, i + 1)
    case 'b':
      if (inClass) return unit(0x08, i + 1)
      throw new Unsupported()
    case '0':
      if (/[0-9]/.test(source[i + 1] ?? '')) throw new Unsupported()
      return unit(0, i + 1)
    case 'x': {
      const hex = /^[0-9a-fA-F]{2}/.exec(source.slice(i + 1))
      if (!hex) throw new Unsupported()
      return unit(parseInt(hex[0], 16), i + 3)
    }
    case 'u': {
      const hex = /^[0-9a-fA-F]{4}/.exec(source.slice(i + 1))
      if (!hex) throw new Unsupported()
      return unit(parseInt(hex[0], 16), i + 5)
    }
    default:
      // Escaped punctuation stands for itself; letters, digits (backreferences, octal) and `\c` are left out.
      if (char === undefined || /[0-9A-Za-z_]/.test(char)) throw new Unsupported()
      return unit(char.charCodeAt(0), i + 1)
  }
}

/** Parses `[...]` starting at `i` (the `[`): the class as code unit ranges and where it ends. */
function classAt(source: string, i: number): { ranges: Ranges; end: number } {
  let j = i + 1
  const negated = source[j] === '^'
  if (negated) j++
  const ranges: Ranges = []
  /** The previous item, when it was a single code unit (a range may start there). */
  let previous: number | null = null
  let rangePending = false
  for (; j < source.length && source[j] !== ']';) {
    let item: { ranges: Ranges; single: boolean; end: number }
    if (source[j] === '\\') item = escapeAt(source, j + 1, true)
    else {
      const code = source.charCodeAt(j)
      item = { ranges: [[code, code]], single: true, end: j + 1 }
    }
    if (rangePending) {
      // `a-\d` and the like: JavaScript reads the `-` literally in this mode; left out rather than imitated.
      if (!item.single || previous === null) throw new Unsupported()
      const to = item.ranges[0][0]
      if (to < previous) throw new Unsupported()
      ranges.pop()
      ranges.push([previous, to])
      rangePending = false
      previous = null
    } else if (source[item.end] === '-' && source[item.end + 1] !== ']' && item.end + 1 < source.length) {
      if (!item.single) throw new Unsupported()
      ranges.push(...item.ranges)
      previous = item.ranges[0][0]
      rangePending = true
      j = item.end + 1
      continue
    } else {
      ranges.push(...item.ranges)
      previous = item.single ? item.ranges[0][0] : null
    }
    j = item.end
  }
  if (source[j] !== ']') throw new Unsupported()
  return { ranges: negated ? complement(ranges) : ranges, end: j + 1 }
}

/** A quantifier starting at `i`: its RE2 spelling, how many copies of the atom it compiles to, and where it ends. */
function quantifierAt(source: string, i: number): { text: string; copies: number; end: number } | null {
  const char = source[i]
  let text: string
  let copies: number
  let end: number
  if (char === '*' || char === '+' || char === '?') {
    text = char
    copies = 1
    end = i + 1
  } else if (char === '{') {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i))
    if (!match) return null
    const min = Number(match[1])
    const max = match[2] === undefined ? min : match[3] === '' ? Infinity : Number(match[3])
    if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) throw new Unsupported()
    text = match[0]
    copies = Math.max(1, max === Infinity ? min + 1 : max)
    end = i + match[0].length
  } else {
    return null
  }
  // Lazy or greedy changes which match is found, not whether there is one.
  if (source[end] === '?') end++
  return { text, copies, end }
}

/**
 * The RE2 spelling of a JavaScript pattern already known to be valid (it compiled with `new RegExp(source)`), or
 * null when it uses something RE2 cannot match the same way (backreferences, lookarounds, `\c`, octal escapes...).
 */
export function toRe2Syntax(source: string): Re2Pattern | null {
  try {
    return translate(source)
  } catch (error) {
    if (error instanceof Unsupported) return null
    throw error
  }
}

function translate(source: string): Re2Pattern {
  let out = ''
  /** Program size per open group, innermost last; the first entry is the whole pattern. */
  const sizes: number[] = [0]
  /** Size of the atom just written, for a quantifier that follows it; null after anything a quantifier can't take. */
  const last: { atom: number | null } = { atom: null }
  const atom = (text: string, size = 1) => {
    out += text
    sizes[sizes.length - 1] += size
    last.atom = size
  }
  for (let i = 0; i < source.length;) {
    const char = source[i]
    const quantifier = quantifierAt(source, i)
    if (quantifier) {
      if (last.atom === null) throw new Unsupported()
      out += quantifier.text
      sizes[sizes.length - 1] += last.atom * (quantifier.copies - 1) + quantifier.copies
      last.atom = null
      i = quantifier.end
      continue
    }
    if (char === '\\') {
      if (source[i + 1] === 'b' || source[i + 1] === 'B') {
        // Word boundaries: both engines take ASCII word characters; a stand-in code point is never one.
        out += `\\${source[i + 1]}`
        sizes[sizes.length - 1]++
        last.atom = null
        i += 2
        continue
      }
      const escape = escapeAt(source, i + 1, false)
      atom(escape.single ? spell(codePointOf(escape.ranges[0][0])) : spellClass(escape.ranges))
      i = escape.end
    } else if (char === '[') {
      const parsed = classAt(source, i)
      atom(spellClass(parsed.ranges))
      i = parsed.end
    } else if (char === '(') {
      if (source[i + 1] === '?') {
        if (source[i + 2] === ':') i += 3
        else if (source[i + 2] === '<' && source[i + 3] !== '=' && source[i + 3] !== '!') {
          // A named group: its name was checked by JavaScript and plays no part in whether the value matches.
          const close = source.indexOf('>', i)
          if (close < 0) throw new Unsupported()
          i = close + 1
        } else {
          throw new Unsupported()
        }
      } else {
        i += 1
      }
      out += '(?:'
      sizes.push(0)
      last.atom = null
    } else if (char === ')') {
      if (sizes.length === 1) throw new Unsupported()
      const size = (sizes.pop() as number) + 1
      out += ')'
      sizes[sizes.length - 1] += size
      last.atom = size
      i++
    } else if (char === '|') {
      out += '|'
      sizes[sizes.length - 1]++
      last.atom = null
      i++
    } else if (char === '^' || char === '$') {
      out += char === '^' ? '\\A' : '\\z'
      sizes[sizes.length - 1]++
      last.atom = null
      i++
    } else if (char === '.') {
      atom(spellClass(NOT_LINE_TERMINATOR))
      i++
    } else {
      // Any other character, `{`, `}` and `]` included, stands for itself.
      atom(spell(codePointOf(source.charCodeAt(i))))
      i++
    }
  }
  if (sizes.length !== 1) throw new Unsupported()
  return { source: out, size: sizes[0] + 1 }
}
