// The one rule for options in milliseconds, shared by the client options, the poller and the shared cache options.
import {
  MAX_TIMER_MS,
  positiveMilliseconds,
  resolveMilliseconds,
  timerDelay,
  timerMilliseconds,
} from '../../../src/shared/defaults'

describe('positiveMilliseconds', () => {
  it.each([NaN, Infinity, -Infinity, 0, -5, '1000', null, undefined])('refuses %p', (value) => {
    expect(positiveMilliseconds(value)).toBeUndefined()
  })

  it('keeps a usable value, raises it to the minimum and caps it where Node timers stop working', () => {
    expect(positiveMilliseconds(250)).toBe(250)
    expect(positiveMilliseconds(5, 100)).toBe(100)
    expect(positiveMilliseconds(2 ** 40)).toBe(MAX_TIMER_MS)
  })
})

describe('timerMilliseconds', () => {
  it.each([NaN, Infinity, 0, -5, '1000', null, MAX_TIMER_MS + 1])('refuses %p instead of capping it', (value) => {
    expect(timerMilliseconds(value)).toBeUndefined()
  })

  it('rounds a usable value up to a whole millisecond', () => {
    expect([timerMilliseconds(0.2), timerMilliseconds(250), timerMilliseconds(MAX_TIMER_MS)]).toEqual([
      1,
      250,
      MAX_TIMER_MS,
    ])
  })
})

describe('timerDelay', () => {
  it('turns NaN and negatives into 0 and caps large delays (Node would fire them at once)', () => {
    expect([timerDelay(NaN), timerDelay(-1), timerDelay(10), timerDelay(2 ** 40)]).toEqual([0, 0, 10, MAX_TIMER_MS])
  })
})

describe('resolveMilliseconds', () => {
  it('uses the default silently when the option is not set, and warns naming the option when it is unusable', () => {
    const warnings: string[] = []
    const warn = (message: string) => warnings.push(message)
    expect(resolveMilliseconds('someTimeoutMs', undefined, 3000, warn)).toBe(3000)
    expect(warnings).toEqual([])
    expect(resolveMilliseconds('someTimeoutMs', '500', 3000, warn)).toBe(3000)
    expect(warnings).toEqual([
      '[PostHog] someTimeoutMs must be a finite positive number of milliseconds, got "500"; using 3000.',
    ])
  })
})
