// Autocapture wired through the real client: listeners follow the client's lifetime and events reach the batch.
import { type PostHogFetchOptions, type PostHogFetchResponse } from '@posthog/core'
import { PostHog } from '../../../src/entrypoints/index.node'

type SentEvent = { event: string; distinct_id: string; properties: Record<string, unknown> }

function recordingClient(options: { enableExceptionAutocapture?: boolean; disabled?: boolean }) {
  const sent: SentEvent[] = []
  const fetch = async (_url: string, init: PostHogFetchOptions): Promise<PostHogFetchResponse> => {
    sent.push(...(JSON.parse(typeof init.body === 'string' ? init.body : '{}').batch ?? []))
    return { status: 200, text: async () => '{}', json: async () => ({}) }
  }
  const client = new PostHog('phc_test', { fetch, disableCompression: true, flushAt: 1, ...options })
  return { client, sent }
}

const counts = () => [process.listeners('uncaughtException').length, process.listeners('unhandledRejection').length]

describe('exception autocapture through the client', () => {
  it('installs its listeners with the client and removes them on shutdown', async () => {
    const before = counts()
    const { client } = recordingClient({ enableExceptionAutocapture: true })

    expect(counts()).toEqual([before[0] + 1, before[1] + 1])
    await client.shutdown()
    expect(counts()).toEqual(before)
  })

  it('installs nothing for a disabled client', async () => {
    const before = counts()
    const { client } = recordingClient({ enableExceptionAutocapture: true, disabled: true })

    expect(counts()).toEqual(before)
    await client.shutdown()
  })

  it('sends an unhandled rejection as an anonymous $exception', async () => {
    const { client, sent } = recordingClient({ enableExceptionAutocapture: true })

    process.emit('unhandledRejection', new Error('nobody awaited me'), Promise.resolve())
    await client.shutdown()

    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({
      event: '$exception',
      properties: {
        $process_person_profile: false,
        $exception_list: [
          { value: 'nobody awaited me', mechanism: { type: 'onunhandledrejection', handled: false, synthetic: false } },
        ],
      },
    })
  })
})
