// Constructor options the client interprets itself: polling interval, personal API key, provider without poller.
import nock from 'nock'
import { PostHog } from '../../../src/entrypoints/index.node'
import type { PostHogOptions } from '../../../src/entrypoints/index.node'

const clients: PostHog[] = []
function client(options: PostHogOptions): PostHog {
  // The same object, so the tests see what the constructor writes back into it.
  options.host ??= 'http://options.posthog.test'
  // Nothing here is about sending events: a failed final flush must not leave a retry timer behind.
  options.fetchRetryCount ??= 0
  const created = new PostHog('TEST_API_KEY', options)
  clients.push(created)
  return created
}
// Clients with a personal key start polling: keep them off the real network (a DNS lookup would outlive the test).
beforeAll(() => nock.disableNetConnect())
afterAll(() => nock.enableNetConnect())
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.shutdown(100).catch(() => undefined)))
  jest.restoreAllMocks()
})

describe('featureFlagsPollingInterval', () => {
  test('defaults to 30000 and is written back into the options', () => {
    const options: PostHogOptions = {}
    client(options)
    expect(options.featureFlagsPollingInterval).toBe(30000)
  })

  test('values below 100 are raised to 100', () => {
    const options: PostHogOptions = { featureFlagsPollingInterval: 5 }
    client(options)
    expect(options.featureFlagsPollingInterval).toBe(100)
  })

  test('valid values are kept', () => {
    const options: PostHogOptions = { featureFlagsPollingInterval: 45000 }
    client(options)
    expect(options.featureFlagsPollingInterval).toBe(45000)
  })

  test('values above 2^31-1 (where setTimeout fires at once) are lowered to 2^31-1', () => {
    const options: PostHogOptions = { featureFlagsPollingInterval: 2 ** 40 }
    client(options)
    expect(options.featureFlagsPollingInterval).toBe(2 ** 31 - 1)
  })

  test.each([NaN, Infinity, -Infinity, 0, -5, '1000', null])(
    '%p is replaced by 30000 with a warning naming the option',
    (value) => {
      const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined)
      const options = { featureFlagsPollingInterval: value as unknown as number }
      client(options)
      expect(options.featureFlagsPollingInterval).toBe(30000)
      expect(warn).toHaveBeenCalledTimes(1)
      expect(warn.mock.calls[0][0]).toContain('featureFlagsPollingInterval')
    }
  )

  test('a valid value logs no warning', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined)
    client({ featureFlagsPollingInterval: 1000 })
    expect(warn).not.toHaveBeenCalled()
  })
})

describe('personalApiKey', () => {
  test('a project key (phc_) is rejected with an actionable message', () => {
    expect(() => new PostHog('TEST_API_KEY', { personalApiKey: 'phc_123' })).toThrow(
      'Your Personal API key is invalid. These keys are prefixed with "phx_" and can be created in PostHog project settings.'
    )
  })

  test('phc_ anywhere in the key is rejected', () => {
    expect(() => new PostHog('TEST_API_KEY', { personalApiKey: 'phx_abc_phc_def' })).toThrow(/phx_/)
  })

  test('a project key is accepted when there is no personal key', () => {
    expect(() => client({})).not.toThrow()
  })
})

describe('the project API key', () => {
  test.each(['', '   '])('%p is rejected', (apiKey) => {
    expect(() => new PostHog(apiKey)).toThrow()
  })
})

describe('flagDefinitionCacheProvider without local evaluation', () => {
  const provider = {
    getFlagDefinitions: () => undefined,
    shouldFetchFlagDefinitions: () => true,
    onFlagDefinitionsReceived: () => undefined,
    shutdown: () => undefined,
  }

  test('without a personal key it warns that the provider is ignored', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined)
    client({ flagDefinitionCacheProvider: provider })
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn.mock.calls[0][0]).toContain('flagDefinitionCacheProvider is ignored')
  })

  test('with enableLocalEvaluation: false it warns too', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined)
    client({ flagDefinitionCacheProvider: provider, personalApiKey: 'phx_x', enableLocalEvaluation: false })
    expect(warn).toHaveBeenCalledTimes(1)
  })

  test('getFlagDefinitionsStats is undefined without local evaluation', () => {
    expect(client({}).getFlagDefinitionsStats()).toBeUndefined()
    expect(client({ personalApiKey: 'phx_x', enableLocalEvaluation: false }).getFlagDefinitionsStats()).toBeUndefined()
  })
})

describe('library identity', () => {
  test('node entry names posthog-node 5.13.2', () => {
    const c = client({})
    expect(c.getLibraryId()).toBe('posthog-node')
    expect(c.getLibraryVersion()).toBe('5.13.2')
    expect(c.getCustomUserAgent()).toBe('posthog-node/5.13.2')
  })

  test('edge entry names posthog-edge', async () => {
    const { PostHog: EdgePostHog } = await import('../../../src/entrypoints/index.edge')
    const edge = new EdgePostHog('TEST_API_KEY')
    expect(edge.getLibraryId()).toBe('posthog-edge')
    expect(edge.getCustomUserAgent()).toBe('posthog-edge/5.13.2')
    await edge.shutdown(100)
  })

  test('the options object is the one passed in; host loses trailing slashes', () => {
    const options: PostHogOptions = { host: 'http://example.com///' }
    const c = new PostHog('k', options)
    clients.push(c)
    expect(c.options).toBe(options)
    expect(c.host).toBe('http://example.com')
  })
})

describe('flagDefinitionCacheProviderTimeoutMs', () => {
  const definitions = { flags: [{ id: 1, key: 'on', active: true, filters: { groups: [{ properties: [] }] } }] }
  const hanging = {
    getFlagDefinitions: () => new Promise<undefined>(() => undefined),
    shouldFetchFlagDefinitions: () => new Promise<boolean>(() => undefined),
    onFlagDefinitionsReceived: () => undefined,
    shutdown: () => undefined,
  }

  test('bounds each provider call: with a hanging cache the first flag comes from the API', async () => {
    const host = 'http://provider-timeout.posthog.test'
    nock(host).get('/api/feature_flag/local_evaluation').query(true).reply(200, definitions)
    const errors: string[] = []
    const posthog = client({
      host,
      personalApiKey: 'phx_x',
      flagDefinitionCacheProvider: hanging,
      flagDefinitionCacheProviderTimeoutMs: 50,
    })
    posthog.on('error', (error: Error) => errors.push(error.message))
    jest.spyOn(console, 'warn').mockImplementation(() => undefined)
    await expect(posthog.getFeatureFlag('on', 'u', { onlyEvaluateLocally: true })).resolves.toBe(true)
    expect(posthog.getFlagDefinitionsStats()).toMatchObject({ providerTimeouts: 1, apiFetches: 1 })
    expect(errors).toEqual([expect.stringMatching(/^Failed to load from cache: .*within 50ms/)])
  }, 2500) // with the default bound (3 s per call) this would not finish in time: the option is what bounds it

  test.each([0, -1, NaN, '100'])('%p is replaced by the default with a warning naming the option', (value) => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined)
    client({ personalApiKey: 'phx_x', flagDefinitionCacheProviderTimeoutMs: value as unknown as number })
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn.mock.calls[0][0]).toContain('flagDefinitionCacheProviderTimeoutMs')
  })
})
