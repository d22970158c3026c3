import { ErrorTracking } from '../../../src/error-tracking'
import { installNodeErrorTracking } from '../../../src/error-tracking/node'
import { exceptionList } from './fake-client'
import { makeChainedError, throwTypeError } from './throwers.fixture'
import { upstreamBuildEventMessage } from './upstream-oracle'

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

function caught(fn: () => void): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected the function to throw')
}

beforeAll(() => installNodeErrorTracking())

describe('ErrorTracking.buildEventMessage', () => {
  it('builds an $exception event with the exception list, level and additional properties', async () => {
    const message = await ErrorTracking.buildEventMessage(new Error('boom'), {}, 'user-1', { plan: 'pro' })

    expect(message.event).toBe('$exception')
    expect(message.distinctId).toBe('user-1')
    expect(message.properties).toMatchObject({ $exception_level: 'error', plan: 'pro' })
    expect(message.properties).not.toHaveProperty('$process_person_profile')
    expect(exceptionList(message)).toEqual([
      expect.objectContaining({
        type: 'Error',
        value: 'boom',
        mechanism: { type: 'generic', handled: true, synthetic: false },
        stacktrace: expect.objectContaining({ type: 'raw' }),
      }),
    ])
  })

  it('uses a fresh UUIDv7 and disables person processing when there is no distinct id', async () => {
    const first = await ErrorTracking.buildEventMessage(new Error('boom'), {})
    const second = await ErrorTracking.buildEventMessage(new Error('boom'), {})

    expect(first.distinctId).toMatch(UUID_V7)
    expect(second.distinctId).not.toBe(first.distinctId)
    expect(first.properties.$process_person_profile).toBe(false)
  })

  it('lets additional properties override the built ones', async () => {
    const message = await ErrorTracking.buildEventMessage(new Error('boom'), {}, 'user-1', {
      $exception_level: 'fatal',
    })

    expect(message.properties.$exception_level).toBe('fatal')
  })

  it('records the mechanism given in the hint', async () => {
    const hint = { mechanism: { type: 'middleware' as const, handled: false } }
    const message = await ErrorTracking.buildEventMessage(new Error('boom'), hint, 'user-1')

    expect(exceptionList(message)[0].mechanism).toEqual({ type: 'middleware', handled: false, synthetic: false })
  })

  it('follows cause chains up to five exceptions, marking causes as handled', async () => {
    const hint = { mechanism: { type: 'onuncaughtexception' as const, handled: false } }
    const message = await ErrorTracking.buildEventMessage(makeChainedError(8), hint, 'user-1')
    const list = exceptionList(message)

    expect(list.map((entry) => entry.value)).toEqual(['level 7', 'level 6', 'level 5', 'level 4', 'level 3'])
    expect(list.map((entry) => entry.mechanism?.handled)).toEqual([false, true, true, true, true])
  })

  it('uses the synthetic exception as the stack of a non-Error input', async () => {
    const syntheticException = new Error('PostHog syntheticException')
    const message = await ErrorTracking.buildEventMessage('plain text', { syntheticException }, 'user-1')
    const [entry] = exceptionList(message)

    expect(entry).toMatchObject({ type: 'Error', value: 'plain text', mechanism: { synthetic: true } })
    expect(entry.stacktrace?.frames?.length).toBeGreaterThan(0)
  })

  it('names frame modules and adds source context lines from the file that threw', async () => {
    const message = await ErrorTracking.buildEventMessage(caught(throwTypeError), {}, 'user-1')
    const frames = exceptionList(message)[0].stacktrace?.frames ?? []
    const thrower = frames[frames.length - 1]

    expect(thrower).toMatchObject({
      function: 'throwTypeError',
      filename: expect.stringMatching(/throwers\.fixture\.ts$/),
      module: expect.stringMatching(/throwers\.fixture\.ts$/),
      context_line: '  throw new TypeError(reason)',
      pre_context: [
        '// Functions that throw from a known file, so tests can assert frames and source context lines.',
        'export function throwTypeError(): never {',
        "  const reason = 'bad input'",
      ],
    })
    expect(thrower.post_context).toEqual(
      expect.arrayContaining(['}', 'export function makeChainedError(depth: number): Error {'])
    )
  })

  describe('matches upstream posthog-node 5.13.2', () => {
    const upstream = upstreamBuildEventMessage()
    class HttpError extends Error {
      override name = 'HttpError'
    }
    const inputs: [string, () => unknown][] = [
      ['an Error', () => new Error('boom')],
      ['a thrown TypeError', () => caught(throwTypeError)],
      ['a subclassed error', () => new HttpError('not found')],
      ['a cause chain', () => makeChainedError(6)],
      ['a string', () => 'something broke'],
      ['a number', () => 42],
      ['null', () => null],
      ['undefined', () => undefined],
      ['a plain object', () => ({ message: 'object message', code: 7 })],
      ['an object holding an error', () => ({ error: new RangeError('inner') })],
      ['an Event', () => new Event('custom')],
    ]

    it.each(inputs)('for %s', async (_name, make) => {
      const input = make()
      const hint = {
        mechanism: { type: 'onunhandledrejection' as const, handled: false },
        syntheticException: new Error('PostHog syntheticException'),
      }

      const ours = await ErrorTracking.buildEventMessage(input, hint, 'user-1', { extra: true })
      const theirs = await upstream(input, hint, 'user-1', { extra: true })

      expect(ours).toEqual(theirs)
    })

    it('without a distinct id, apart from the generated id', async () => {
      const input = new Error('anonymous')
      const ours = await ErrorTracking.buildEventMessage(input, {})
      const theirs = await upstream(input, {})

      expect({ ...ours, distinctId: 'x' }).toEqual({ ...theirs, distinctId: 'x' })
    })
  })
})
