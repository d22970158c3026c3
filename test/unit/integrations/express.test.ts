/* eslint-disable @typescript-eslint/no-require-imports */
import { type IncomingMessage, type ServerResponse } from 'node:http'
import { installNodeErrorTracking } from '../../../src/error-tracking/node'
import { type ExpressErrorMiddleware, type MiddlewareError, setupExpressErrorHandler } from '../../../src/integrations'
import { FakePostHog } from './fake-posthog'

const upstream = require('posthog-node-upstream')
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

const request = {} as IncomingMessage
const response = {} as ServerResponse

/** An app that only records the middleware registered on it. */
function fakeApp() {
  const middleware: ExpressErrorMiddleware[] = []
  return { middleware, use: (handler: ExpressErrorMiddleware) => void middleware.push(handler) }
}

async function settled(posthog: FakePostHog): Promise<void> {
  await Promise.all(posthog.pending)
}

async function eventually(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition() && waited < 5000; waited += 5) await new Promise((r) => setTimeout(r, 5))
}

beforeAll(() => installNodeErrorTracking())

describe('setupExpressErrorHandler', () => {
  it('registers one error middleware (four parameters, as Express requires)', () => {
    const app = fakeApp()

    setupExpressErrorHandler(new FakePostHog(), app)

    expect(app.middleware).toHaveLength(1)
    expect(app.middleware[0].length).toBe(4)
  })

  it('passes the error on to the next handler at once', () => {
    const app = fakeApp()
    const posthog = new FakePostHog()
    setupExpressErrorHandler(posthog, app)
    const error: MiddlewareError = Object.assign(new Error('route failed'), { status: 500 })
    const next = jest.fn()

    app.middleware[0](error, request, response, next)

    expect(next).toHaveBeenCalledTimes(1)
    expect(next).toHaveBeenCalledWith(error)
    expect(posthog.captured).toEqual([])
  })

  it('captures an anonymous, unhandled $exception with the middleware mechanism', async () => {
    const app = fakeApp()
    const posthog = new FakePostHog()
    setupExpressErrorHandler(posthog, app)

    app.middleware[0](new Error('route failed'), request, response, () => {})
    await settled(posthog)

    expect(posthog.captured).toHaveLength(1)
    const [message] = posthog.captured
    expect(message.event).toBe('$exception')
    expect(message.distinctId).toMatch(UUID_V7)
    expect(message.properties).toMatchObject({
      $process_person_profile: false,
      $exception_level: 'error',
      $exception_list: [
        { type: 'Error', value: 'route failed', mechanism: { type: 'middleware', handled: false, synthetic: false } },
      ],
    })
  })

  it('registers the capture as pending work so client shutdown waits for it', () => {
    const app = fakeApp()
    const posthog = new FakePostHog()
    setupExpressErrorHandler(posthog, app)

    app.middleware[0](new Error('route failed'), request, response, () => {})

    expect(posthog.pending).toHaveLength(1)
  })

  it('does not turn a failing capture into an unhandled rejection', async () => {
    const app = fakeApp()
    const posthog = new FakePostHog()
    posthog.capture = () => {
      throw new Error('client is broken')
    }
    setupExpressErrorHandler(posthog, app)

    app.middleware[0](new Error('route failed'), request, response, () => {})

    await expect(posthog.pending[0]).resolves.toBeUndefined()
  })

  it('captures the same event as upstream posthog-node 5.13.2, apart from the generated id', async () => {
    const ours = { app: fakeApp(), posthog: new FakePostHog() }
    const theirs = { app: fakeApp(), posthog: new FakePostHog() }
    setupExpressErrorHandler(ours.posthog, ours.app)
    upstream.setupExpressErrorHandler(theirs.posthog, theirs.app)
    const error = new TypeError('cannot read properties of undefined')

    ours.app.middleware[0](error, request, response, () => {})
    theirs.app.middleware[0](error, request, response, () => {})
    await settled(ours.posthog)
    await eventually(() => theirs.posthog.captured.length > 0) // upstream does not expose its pending capture

    const withoutId = ({ distinctId: _id, ...rest }: { distinctId: string }) => rest
    expect(theirs.posthog.captured).toHaveLength(1)
    expect(ours.posthog.captured.map(withoutId)).toEqual(theirs.posthog.captured.map(withoutId))
  })
})
