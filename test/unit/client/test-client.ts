// A client on a nock-mocked host that collects every event sent to /batch/.
import nock from 'nock'
import { PostHog } from '../../../src/entrypoints/index.node'
import type { PostHogOptions } from '../../../src/entrypoints/index.node'

let counter = 0

export interface TestClient {
  client: PostHog
  /** Events sent so far (after `client.shutdown()` or `flush()`). */
  events: Record<string, unknown>[]
  /** /flags request bodies. */
  flagRequests: Record<string, unknown>[]
}

export function testClient(options: PostHogOptions = {}, flagsResponse: unknown = { flags: {} }): TestClient {
  const host = `http://client-${++counter}.posthog.test`
  const events: Record<string, unknown>[] = []
  const flagRequests: Record<string, unknown>[] = []
  nock(host)
    .persist()
    .post('/batch/')
    .reply(200, (_uri, body) => {
      events.push(...(body as { batch: Record<string, unknown>[] }).batch)
      return {}
    })
  nock(host)
    .persist()
    .post('/flags/?v=2&config=true')
    .reply(200, (_uri, body) => {
      flagRequests.push(body as Record<string, unknown>)
      return flagsResponse as nock.Body
    })
  const client = new PostHog('TEST_API_KEY', {
    host,
    fetchRetryCount: 0,
    disableCompression: true,
    flushInterval: 0,
    ...options,
  })
  return { client, events, flagRequests }
}
