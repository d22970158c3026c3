// is_date_before / is_date_after with absolute and relative targets.
import { parseRelativeDate, relativeDateMs } from '../../../src/evaluation/dates'
import { matches, person } from './helpers'

const DAY = 86400000
const daysAgo = (days: number): string => new Date(Date.now() - days * DAY).toISOString()

describe('relative dates', () => {
  test.each([
    ['1h', 1, 'h'],
    ['-1d', 1, 'd'],
    ['2w', 2, 'w'],
    ['3m', 3, 'm'],
    ['-4y', 4, 'y'],
    ['000h', 0, 'h'],
    ['9999d', 9999, 'd'],
  ])('%s is %i %s ago', (text, amount, unit) => {
    expect(parseRelativeDate(text)).toEqual({ amount, unit })
  })

  test.each(['1s', '1x', '1.2y', 'bazinga', '10000d', '1D', ' 1d', '1d ', '--1d', 'd'])(
    '%s is not relative',
    (text) => {
      expect(parseRelativeDate(text)).toBeNull()
    }
  )

  test('months and years use UTC calendar arithmetic', () => {
    const now = Date.UTC(2024, 2, 31, 12)
    expect(new Date(relativeDateMs(1, 'm', now)).toISOString()).toBe('2024-03-02T12:00:00.000Z')
    expect(new Date(relativeDateMs(1, 'y', Date.UTC(2024, 1, 29))).toISOString()).toBe('2023-03-01T00:00:00.000Z')
  })

  test('hours, days and weeks subtract exact durations', () => {
    const now = Date.UTC(2024, 0, 10)
    expect(relativeDateMs(5, 'h', now)).toBe(now - 5 * 3600000)
    expect(relativeDateMs(3, 'd', now)).toBe(now - 3 * DAY)
    expect(relativeDateMs(2, 'w', now)).toBe(now - 14 * DAY)
  })
})

describe('is_date_before and is_date_after', () => {
  test('a relative target is measured back from now, with or without a minus sign', () => {
    expect(matches(person('signup', 'is_date_before', '7d'), { signup: daysAgo(10) })).toBe(true)
    expect(matches(person('signup', 'is_date_before', '-7d'), { signup: daysAgo(3) })).toBe(false)
    expect(matches(person('signup', 'is_date_after', '-7d'), { signup: daysAgo(3) })).toBe(true)
  })

  test('an absolute target is parsed with new Date', () => {
    expect(matches(person('signup', 'is_date_after', '2022-04-05 12:34:12 +01:00'), { signup: '2022-04-06' })).toBe(
      true
    )
    expect(matches(person('signup', 'is_date_before', '2024-01-01'), { signup: '2023-12-31' })).toBe(true)
  })

  test('the comparison is strict', () => {
    expect(matches(person('signup', 'is_date_before', '2024-01-01'), { signup: '2024-01-01' })).toBe(false)
    expect(matches(person('signup', 'is_date_after', '2024-01-01'), { signup: '2024-01-01' })).toBe(false)
  })

  test('numbers are epoch milliseconds on both sides', () => {
    const target = Date.UTC(2024, 0, 1)
    expect(matches(person('signup', 'is_date_after', target), { signup: target + 1 })).toBe(true)
  })

  test('number values are read as new Date(number) reads them: truncated, invalid beyond the Date range', () => {
    const target = Date.UTC(2024, 0, 1)
    expect(matches(person('signup', 'is_date_after', target), { signup: target + 0.9 })).toBe(false)
    expect(matches(person('signup', 'is_date_after', target), { signup: 8.64e15 + 1 })).toBe('inconclusive')
  })

  test('Date property values are compared as they are', () => {
    expect(matches(person('signup', 'is_date_after', '2024-01-01'), { signup: new Date('2024-06-01') })).toBe(true)
  })

  test('an invalid Date instance as the value is false, not inconclusive', () => {
    expect(matches(person('signup', 'is_date_after', '2024-01-01'), { signup: new Date(NaN) })).toBe(false)
  })

  test('a boolean target is inconclusive', () => {
    expect(matches(person('signup', 'is_date_after', true), { signup: '2024-01-01' })).toBe('inconclusive')
  })

  test('an unparseable target is inconclusive', () => {
    expect(matches(person('signup', 'is_date_after', 'bazinga'), { signup: '2024-01-01' })).toBe('inconclusive')
    expect(matches(person('signup', 'is_date_after', null), { signup: '2024-01-01' })).toBe('inconclusive')
  })

  test('an unparseable value is inconclusive', () => {
    expect(matches(person('signup', 'is_date_after', '7d'), { signup: 'yesterday-ish' })).toBe('inconclusive')
    expect(matches(person('signup', 'is_date_after', '7d'), { signup: true })).toBe('inconclusive')
  })

  test('an array target is read through its string form, so ["7d"] is relative', () => {
    expect(matches(person('signup', 'is_date_before', ['7d']), { signup: daysAgo(30) })).toBe(true)
  })
})
