// Which fetch the client uses: the `fetch` option, else the global fetch as it is at request time (so
// instrumentation or mocks installed after construction apply to every later request, definitions included; the
// first definitions request starts inside the constructor, as upstream's does).
import { PostHog } from '../../../src/entrypoints/index.node'

const definitions = { flags: [], group_type_mapping: {}, cohorts: {} }

function jsonResponse(body: unknown) {
  return { status: 200, text: async () => JSON.stringify(body), json: async () => body }
}

const realFetch = globalThis.fetch
afterEach(() => {
  globalThis.fetch = realFetch
})

describe('fetch', () => {
  test('the fetch option is used for batches, /flags and definitions', async () => {
    const urls: string[] = []
    const client = new PostHog('TEST_API_KEY', {
      host: 'http://custom-fetch.test',
      personalApiKey: 'phx_personal',
      flushInterval: 0,
      fetch: async (url) => {
        urls.push(url.replace(/\?.*/, ''))
        return jsonResponse(url.includes('local_evaluation') ? definitions : { flags: {} })
      },
    })
    await client.waitForLocalEvaluationReady(1000)
    await client.getFeatureFlag('f', 'u', { sendFeatureFlagEvents: false })
    await client.captureImmediate({ distinctId: 'u', event: 'e' })
    await client.shutdown(1000)
    expect([...new Set(urls)].sort()).toEqual([
      'http://custom-fetch.test/api/feature_flag/local_evaluation',
      'http://custom-fetch.test/batch/',
      'http://custom-fetch.test/flags/',
    ])
  })

  test('without the option, the first request (in the constructor) uses the global fetch of that moment, later ones a replaced one', async () => {
    const atConstruction: string[] = []
    globalThis.fetch = (async (url: string) => {
      atConstruction.push(url.replace(/\?.*/, ''))
      throw new Error('offline')
    }) as unknown as typeof fetch
    const client = new PostHog('TEST_API_KEY', {
      host: 'http://late-fetch.test',
      personalApiKey: 'phx_personal',
      flushInterval: 0,
    })
    expect(atConstruction).toEqual(['http://late-fetch.test/api/feature_flag/local_evaluation'])
    client.on('error', () => undefined)
    const urls: string[] = []
    globalThis.fetch = (async (url: string) => {
      urls.push(url.replace(/\?.*/, ''))
      return jsonResponse(url.includes('local_evaluation') ? definitions : { flags: {} })
    }) as unknown as typeof fetch
    await client.reloadFeatureFlags() // joins the constructor's load, which has not published
    await client.reloadFeatureFlags()
    await client.getFeatureFlag('f', 'u', { sendFeatureFlagEvents: false })
    await client.shutdown(1000)
    expect(atConstruction).toHaveLength(1)
    expect(urls).toContain('http://late-fetch.test/api/feature_flag/local_evaluation')
    expect(urls).toContain('http://late-fetch.test/flags/')
  })
})
