import { ErrorTracking } from '../../../src/error-tracking'
import { installNodeErrorTracking } from '../../../src/error-tracking/node'
import { exceptionList, FakeClient } from './fake-client'

let client: FakeClient
let tracking: ErrorTracking

beforeAll(() => installNodeErrorTracking())

beforeEach(() => {
  client = new FakeClient()
  tracking = new ErrorTracking(client, {})
})

afterEach(() => tracking.shutdown())

describe('captureException', () => {
  it('returns at once and captures the built event once the pending work settles', async () => {
    tracking.captureException(new Error('boom'), 'user-1', { plan: 'pro' })

    expect(client.captured).toEqual([])
    expect(client.pending).toHaveLength(1)
    await client.settle()
    expect(client.captured).toHaveLength(1)
    expect(client.captured[0]).toMatchObject({ event: '$exception', distinctId: 'user-1', properties: { plan: 'pro' } })
    expect(exceptionList(client.captured[0])[0]).toMatchObject({
      value: 'boom',
      mechanism: { type: 'generic', handled: true, synthetic: false },
    })
  })

  it('gives non-Error inputs the stack of the captureException call', async () => {
    tracking.captureException('just a string')
    await client.settle()

    const [entry] = exceptionList(client.captured[0])
    expect(entry).toMatchObject({ value: 'just a string', mechanism: { synthetic: true } })
    const functions = (entry.stacktrace?.frames ?? []).map((frame) => frame.function)
    expect(functions).toContain('ErrorTracking.captureException')
  })

  it('keeps the pending promise from rejecting when the client throws, so shutdown is not broken', async () => {
    client.capture = () => {
      throw new Error('queue is broken')
    }
    tracking.captureException(new Error('boom'))

    await expect(client.pending[0]).resolves.toBeUndefined()
  })
})

describe('captureExceptionImmediate', () => {
  it('resolves only after the event was sent', async () => {
    client.immediateDelayMs = 30

    await tracking.captureExceptionImmediate(new Error('boom'), 'user-1')

    expect(client.capturedImmediately).toHaveLength(1)
    expect(client.capturedImmediately[0]).toMatchObject({ event: '$exception', distinctId: 'user-1' })
    expect(client.captured).toEqual([])
  })

  it('is tracked as pending work for shutdown', () => {
    void tracking.captureExceptionImmediate(new Error('boom'))

    expect(client.pending).toHaveLength(1)
  })

  it('resolves rather than rejects when sending fails', async () => {
    client.captureImmediate = () => Promise.reject(new Error('network down'))

    await expect(tracking.captureExceptionImmediate(new Error('boom'))).resolves.toBeUndefined()
  })
})

describe('the properties builder', () => {
  it('defaults to one without frame modifiers when no entry point installed one', async () => {
    const installed = ErrorTracking.errorPropertiesBuilder
    ErrorTracking.errorPropertiesBuilder = undefined
    try {
      const message = await ErrorTracking.buildEventMessage(new Error('boom'), {}, 'user-1')
      const frames = exceptionList(message)[0].stacktrace?.frames ?? []

      expect(frames.length).toBeGreaterThan(0)
      expect(frames.every((frame) => frame.module === undefined && frame.context_line === undefined)).toBe(true)
    } finally {
      ErrorTracking.errorPropertiesBuilder = installed
    }
  })
})
