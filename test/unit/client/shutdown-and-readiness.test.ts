// Lifetime with local evaluation: shutdown waits for the cache provider, readiness helpers, stats.
import nock from 'nock'
import { PostHog } from '../../../src/entrypoints/index.node'
import type {
  FlagDefinitionCacheData,
  FlagDefinitionCacheProvider,
  PostHogOptions,
} from '../../../src/entrypoints/index.node'
import { apiDefinitions } from '../../helpers/definitions'

let counter = 0
const definitions = apiDefinitions(['on'])

function localClient(options: PostHogOptions = {}, definitionsDelayMs = 0): PostHog {
  const host = `http://lifetime-${++counter}.posthog.test`
  nock(host).persist().post('/batch/').reply(200, {})
  nock(host)
    .persist()
    .get(/\/api\/feature_flag\/local_evaluation/)
    .delay(definitionsDelayMs)
    .reply(200, definitions)
  return new PostHog('TEST_API_KEY', {
    host,
    personalApiKey: 'phx_personal',
    fetchRetryCount: 0,
    flushInterval: 0,
    ...options,
  })
}

function provider(overrides: Partial<FlagDefinitionCacheProvider> = {}): FlagDefinitionCacheProvider {
  let stored: FlagDefinitionCacheData | undefined
  return {
    getFlagDefinitions: () => stored,
    shouldFetchFlagDefinitions: () => true,
    onFlagDefinitionsReceived: (data) => {
      stored = data
    },
    shutdown: () => undefined,
    ...overrides,
  }
}

// Provider failures are also logged once per kind; these specs assert on 'error' events instead.
beforeEach(() => jest.spyOn(console, 'warn').mockImplementation(() => undefined))
afterEach(() => jest.restoreAllMocks())
// Delayed replies keep nock timers alive after their request was abandoned.
afterAll(() => nock.abortPendingRequests())

describe('shutdown with a cache provider', () => {
  test('resolves only after provider.shutdown() has finished (so callers can close its connection)', async () => {
    let finished = false
    const client = localClient({
      flagDefinitionCacheProvider: provider({
        shutdown: () => new Promise<void>((resolve) => setTimeout(() => ((finished = true), resolve()), 150)),
      }),
    })
    await client.waitForLocalEvaluationReady(2000)
    await client.shutdown(2000)
    expect(finished).toBe(true)
  })

  test('a provider whose shutdown never settles does not hold shutdown beyond its timeout', async () => {
    const client = localClient({
      flagDefinitionCacheProvider: provider({ shutdown: () => new Promise<void>(() => undefined) }),
    })
    const errors: Error[] = []
    client.on('error', (error: Error) => errors.push(error))
    await client.waitForLocalEvaluationReady(2000)
    await expect(client.shutdown(200)).resolves.toBeUndefined()
  })

  test('a rejecting provider shutdown is reported as an error event by the time shutdown resolves', async () => {
    const client = localClient({
      flagDefinitionCacheProvider: provider({ shutdown: () => Promise.reject(new Error('redis gone')) }),
    })
    const errors: Error[] = []
    client.on('error', (error: Error) => errors.push(error))
    await client.waitForLocalEvaluationReady(2000)
    await client.shutdown(2000)
    expect(errors.map((e) => e.message).join('\n')).toContain('Error during cache shutdown')
  })

  test('queued events are still sent when the provider shutdown fails', async () => {
    const sent: unknown[] = []
    const host = `http://lifetime-${++counter}.posthog.test`
    nock(host)
      .persist()
      .post('/batch/')
      .reply(200, (_uri, body) => (sent.push(...(body as { batch: unknown[] }).batch), {}))
    nock(host)
      .persist()
      .get(/local_evaluation/)
      .reply(200, definitions)
    const client = new PostHog('TEST_API_KEY', {
      host,
      personalApiKey: 'phx_personal',
      flushInterval: 0,
      flagDefinitionCacheProvider: provider({ shutdown: () => Promise.reject(new Error('boom')) }),
    })
    client.on('error', () => undefined)
    for (let i = 0; i < 3; i++) client.capture({ distinctId: 'u', event: `e${i}` })
    await client.shutdown(2000)
    expect(sent).toHaveLength(3)
  })
})

describe('readiness', () => {
  test('waitForLocalEvaluationReady resolves true after the first load and emits the flag count', async () => {
    const client = localClient()
    const loaded: number[] = []
    client.on('localEvaluationFlagsLoaded', (count: number) => loaded.push(count))
    expect(await client.waitForLocalEvaluationReady(2000)).toBe(true)
    expect(client.isLocalEvaluationReady()).toBe(true)
    expect(loaded).toEqual([1])
    await client.shutdown(500)
  })

  test('waitForLocalEvaluationReady resolves false on timeout, keeping the process alive only while awaited', async () => {
    const setTimeoutSpy = jest.spyOn(global, 'setTimeout')
    const clearTimeoutSpy = jest.spyOn(global, 'clearTimeout')
    const client = localClient({}, 5000)
    const waiting = client.waitForLocalEvaluationReady(50)
    const timer = setTimeoutSpy.mock.results.find((_result, i) => setTimeoutSpy.mock.calls[i][1] === 50)
      ?.value as NodeJS.Timeout
    // A script awaiting the answer must not exit before it comes (the poller's own timers are unref'd).
    expect(timer.hasRef()).toBe(true)
    expect(await waiting).toBe(false)
    await client.shutdown(100)
    expect(clearTimeoutSpy).not.toHaveBeenCalledWith(timer) // it fired: nothing left to hold the process
  })

  test('waitForLocalEvaluationReady clears its timer when the flags arrive first', async () => {
    const clearTimeoutSpy = jest.spyOn(global, 'clearTimeout')
    const setTimeoutSpy = jest.spyOn(global, 'setTimeout')
    const client = localClient({})
    expect(await client.waitForLocalEvaluationReady(60_000)).toBe(true)
    const timer = setTimeoutSpy.mock.results.find((_result, i) => setTimeoutSpy.mock.calls[i][1] === 60_000)?.value
    expect(timer).toBeDefined()
    expect(clearTimeoutSpy).toHaveBeenCalledWith(timer)
    await client.shutdown(100)
  })

  test('without local evaluation it resolves false at once', async () => {
    const client = new PostHog('TEST_API_KEY', { host: 'http://no-local.posthog.test' })
    expect(await client.waitForLocalEvaluationReady(10_000)).toBe(false)
    expect(client.isLocalEvaluationReady()).toBe(false)
    await client.reloadFeatureFlags()
    await client.shutdown(100)
  })
})

describe('getFlagDefinitionsStats', () => {
  test('reports where the definitions came from once loaded', async () => {
    const client = localClient()
    await client.waitForLocalEvaluationReady(2000)
    expect(client.getFlagDefinitionsStats()).toMatchObject({ apiFetches: 1, flagCount: 1, lastLoadSource: 'api' })
    await client.shutdown(500)
  })
})

describe('the first load starts inside the constructor', () => {
  const fastFetch = (urls: string[]) => async (url: string) => {
    urls.push(url.replace(/\?.*/, ''))
    return { status: 200, json: async () => definitions, text: async () => JSON.stringify(definitions) }
  }

  it('without a provider, the definitions request is sent before the constructor returns', async () => {
    const urls: string[] = []
    const posthog = new PostHog('TEST_API_KEY', {
      host: 'http://constructor.posthog.test',
      personalApiKey: 'phx_personal',
      fetch: fastFetch(urls) as never,
    })
    expect(urls).toEqual(['http://constructor.posthog.test/api/feature_flag/local_evaluation'])
    const loaded: number[] = []
    posthog.on('localEvaluationFlagsLoaded', (count: number) => loaded.push(count))
    expect(await posthog.waitForLocalEvaluationReady(1000)).toBe(true)
    expect(loaded).toEqual([1]) // the listener attached after construction heard the first load
    await posthog.shutdown(100)
  })

  it('with a provider, the cache read is under way before the constructor returns', async () => {
    const reads: number[] = []
    const provider: FlagDefinitionCacheProvider = {
      getFlagDefinitions: () => {
        reads.push(Date.now())
        return undefined
      },
      shouldFetchFlagDefinitions: () => true,
      onFlagDefinitionsReceived: () => undefined,
      shutdown: () => undefined,
    }
    const urls: string[] = []
    const posthog = new PostHog('TEST_API_KEY', {
      host: 'http://constructor-cache.posthog.test',
      personalApiKey: 'phx_personal',
      fetch: fastFetch(urls) as never,
      flagDefinitionCacheProvider: provider,
    })
    expect(reads).toHaveLength(1)
    expect(urls).toEqual([]) // the API comes after the cache
    expect(await posthog.waitForLocalEvaluationReady(1000)).toBe(true)
    expect(urls).toHaveLength(1)
    await posthog.shutdown(100)
  })
})
