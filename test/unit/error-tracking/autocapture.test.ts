import { ErrorTracking } from '../../../src/error-tracking'
import { installNodeErrorTracking } from '../../../src/error-tracking/node'
import { exceptionList, FakeClient } from './fake-client'

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

function listenerCounts() {
  return {
    uncaught: process.listeners('uncaughtException').length,
    unhandled: process.listeners('unhandledRejection').length,
  }
}

function rejectUnhandled(reason: unknown): void {
  process.emit('unhandledRejection', reason, Promise.resolve())
}

let client: FakeClient
let tracking: ErrorTracking | undefined
let listenersBefore: { uncaught: unknown[]; unhandled: unknown[] }

beforeAll(() => installNodeErrorTracking())

beforeEach(() => {
  client = new FakeClient()
  listenersBefore = {
    uncaught: process.listeners('uncaughtException'),
    unhandled: process.listeners('unhandledRejection'),
  }
})

afterEach(() => {
  tracking?.shutdown()
  tracking = undefined
  jest.restoreAllMocks()
  // a fatal-exit test keeps its listeners on purpose (exit is stubbed): remove them so they cannot leak
  for (const listener of process.listeners('uncaughtException')) {
    if (!listenersBefore.uncaught.includes(listener)) process.off('uncaughtException', listener)
  }
  for (const listener of process.listeners('unhandledRejection')) {
    if (!listenersBefore.unhandled.includes(listener)) process.off('unhandledRejection', listener)
  }
})

describe('exception autocapture', () => {
  it('installs one uncaughtException and one unhandledRejection listener when enabled', () => {
    const before = listenerCounts()
    tracking = new ErrorTracking(client, { enableExceptionAutocapture: true })

    expect(listenerCounts()).toEqual({ uncaught: before.uncaught + 1, unhandled: before.unhandled + 1 })
  })

  it.each([
    ['not enabled', {}],
    ['enabled on a disabled client', { enableExceptionAutocapture: true, disabled: true }],
  ])('installs no listener when %s', (_name, options) => {
    const before = listenerCounts()
    tracking = new ErrorTracking(client, options)

    expect(listenerCounts()).toEqual(before)
  })

  it('removes its listeners on shutdown', () => {
    const before = listenerCounts()
    tracking = new ErrorTracking(client, { enableExceptionAutocapture: true })
    tracking.shutdown()

    expect(listenerCounts()).toEqual(before)
  })

  it('captures unhandled rejections as unhandled, anonymous exceptions', async () => {
    tracking = new ErrorTracking(client, { enableExceptionAutocapture: true })
    rejectUnhandled(new Error('rejected'))
    await client.settle()

    expect(client.captured).toHaveLength(1)
    const [message] = client.captured
    expect(message.distinctId).toMatch(UUID_V7)
    expect(message.properties.$process_person_profile).toBe(false)
    expect(exceptionList(message)[0]).toMatchObject({
      value: 'rejected',
      mechanism: { type: 'onunhandledrejection', handled: false },
    })
  })

  it('captures uncaught exceptions without exiting when the application has its own listener', async () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation(() => undefined as never)
    const userListener = jest.fn()
    process.on('uncaughtException', userListener)
    try {
      tracking = new ErrorTracking(client, { enableExceptionAutocapture: true })
      process.emit('uncaughtException', new Error('thrown'))
      await client.settle()
    } finally {
      process.off('uncaughtException', userListener)
    }

    expect(exceptionList(client.captured[0])[0]).toMatchObject({
      value: 'thrown',
      mechanism: { type: 'onuncaughtexception', handled: false },
    })
    expect(client.shutdownCalls).toEqual([])
    expect(exit).not.toHaveBeenCalled()
  })

  it('on an uncaught exception nobody else handles: prints it, shuts the client down in 2 s and exits with 1, once', async () => {
    const exited = new Promise<number | undefined>((resolve) => {
      jest.spyOn(process, 'exit').mockImplementation(((code?: number) => resolve(code)) as never)
    })
    const printed = jest.spyOn(console, 'error').mockImplementation(() => {})
    tracking = new ErrorTracking(client, { enableExceptionAutocapture: true })
    const error = new Error('fatal')

    process.emit('uncaughtException', error)
    process.emit('uncaughtException', new Error('second'))

    expect(await exited).toBe(1)
    expect(printed).toHaveBeenCalledWith(error)
    expect(client.shutdownCalls).toEqual([2000])
    // Both are captured; each is built asynchronously (source files are read), so either may finish first.
    expect(client.captured.map((m) => exceptionList(m)[0].value).sort()).toEqual(['fatal', 'second'])
    expect(process.exit).toHaveBeenCalledTimes(1)
  })

  it('still exits when the shutdown fails', async () => {
    const exited = new Promise<number | undefined>((resolve) => {
      jest.spyOn(process, 'exit').mockImplementation(((code?: number) => resolve(code)) as never)
    })
    jest.spyOn(console, 'error').mockImplementation(() => {})
    client.shutdown = () => Promise.reject('Timeout while shutting down PostHog')
    tracking = new ErrorTracking(client, { enableExceptionAutocapture: true })

    process.emit('uncaughtException', new Error('fatal'))

    expect(await exited).toBe(1)
  })

  it('keeps its listeners while the fatal exit is flushing', async () => {
    jest.spyOn(process, 'exit').mockImplementation(() => undefined as never)
    jest.spyOn(console, 'error').mockImplementation(() => {})
    const before = listenerCounts()
    tracking = new ErrorTracking(client, { enableExceptionAutocapture: true })
    client.shutdown = async () => tracking?.shutdown()

    process.emit('uncaughtException', new Error('fatal'))
    await client.settle()

    expect(listenerCounts()).toEqual({ uncaught: before.uncaught + 1, unhandled: before.unhandled + 1 })
  })
})

describe('autocapture rate limit', () => {
  it('captures 9 exceptions of one type per burst', async () => {
    tracking = new ErrorTracking(client, { enableExceptionAutocapture: true })
    for (let i = 0; i < 15; i++) rejectUnhandled(new TypeError(`burst ${i}`))
    await client.settle()

    expect(client.captured).toHaveLength(9)
  })

  it('limits each exception type separately', async () => {
    tracking = new ErrorTracking(client, { enableExceptionAutocapture: true })
    for (let i = 0; i < 12; i++) rejectUnhandled(new TypeError('type error'))
    for (let i = 0; i < 3; i++) rejectUnhandled(new RangeError('range error'))
    await client.settle()

    const types = client.captured.map((m) => exceptionList(m)[0].type)
    expect(types.filter((t) => t === 'TypeError')).toHaveLength(9)
    expect(types.filter((t) => t === 'RangeError')).toHaveLength(3)
  })

  // Core's limiter refuses the call that empties the bucket, so a single refilled token is never used: after a
  // burst, 10 s of quiet still captures nothing and 20 s captures one.
  it('refills one token per 10 s, of which the last is never spent', async () => {
    let now = 1_000_000
    jest.spyOn(Date, 'now').mockImplementation(() => now)
    tracking = new ErrorTracking(client, { enableExceptionAutocapture: true })
    const burst = async (count: number) => {
      for (let i = 0; i < count; i++) rejectUnhandled(new TypeError('type error'))
      await client.settle()
      return client.captured.length
    }

    expect(await burst(12)).toBe(9)
    now += 10_000
    expect(await burst(3)).toBe(9)
    now += 20_000
    expect(await burst(3)).toBe(10)
  })

  it('does not limit explicit captureException calls', async () => {
    tracking = new ErrorTracking(client, {})
    for (let i = 0; i < 15; i++) tracking.captureException(new TypeError('explicit'))
    await client.settle()

    expect(client.captured).toHaveLength(15)
  })
})
