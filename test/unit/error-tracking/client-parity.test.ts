// captureException through the whole client, ours and upstream's, with a fetch that records what would be sent.
/* eslint-disable @typescript-eslint/no-require-imports */
import { type PostHogFetchOptions, type PostHogFetchResponse } from '@posthog/core'
import { PostHog } from '../../../src/entrypoints/index.node'

const { PostHog: UpstreamPostHog } = require('posthog-node-upstream')

type SentEvent = { event: string; distinct_id: string; properties: Record<string, unknown> }

function recordingClient(Client: typeof PostHog) {
  const sent: SentEvent[] = []
  const fetch = async (_url: string, options: PostHogFetchOptions): Promise<PostHogFetchResponse> => {
    const body = JSON.parse(typeof options.body === 'string' ? options.body : '{}')
    sent.push(...(body.batch ?? []))
    return { status: 200, text: async () => '{}', json: async () => ({}) }
  }
  const client = new Client('phc_test', { fetch, disableCompression: true, flushAt: 1, fetchRetryCount: 0 })
  return { client, sent }
}

/** The exception part of an event, without what differs by library or run. */
function exceptionPart(event: SentEvent) {
  const keep = Object.entries(event.properties).filter(([key]) => key.startsWith('$exception') || key === 'plan')
  return { event: event.event, distinct_id: event.distinct_id, properties: Object.fromEntries(keep) }
}

function throwSomething(): never {
  throw new RangeError('index out of range', { cause: new Error('underlying') })
}

function caught(): unknown {
  try {
    throwSomething()
  } catch (error) {
    return error
  }
}

describe('exception capture through the client matches upstream posthog-node 5.13.2', () => {
  it('captureException', async () => {
    const ours = recordingClient(PostHog)
    const theirs = recordingClient(UpstreamPostHog)
    const error = caught()

    ours.client.captureException(error, 'user-1', { plan: 'pro' })
    theirs.client.captureException(error, 'user-1', { plan: 'pro' })
    await ours.client.shutdown()
    await theirs.client.shutdown()

    expect(ours.sent).toHaveLength(1)
    expect(exceptionPart(ours.sent[0])).toEqual(exceptionPart(theirs.sent[0]))
    expect(ours.sent[0].properties.$exception_list).toEqual([
      expect.objectContaining({ type: 'RangeError', value: 'index out of range' }),
      expect.objectContaining({ type: 'Error', value: 'underlying' }),
    ])
  })

  it('captureExceptionImmediate, which has sent the event when it resolves', async () => {
    const ours = recordingClient(PostHog)
    const theirs = recordingClient(UpstreamPostHog)
    const error = caught()

    await ours.client.captureExceptionImmediate(error, 'user-1')
    const sentOnResolve = ours.sent.length
    await theirs.client.captureExceptionImmediate(error, 'user-1')
    await ours.client.shutdown()
    await theirs.client.shutdown()

    expect(sentOnResolve).toBe(1)
    expect(exceptionPart(ours.sent[0])).toEqual(exceptionPart(theirs.sent[0]))
  })
})
