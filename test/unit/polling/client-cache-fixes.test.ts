// Where the cache integration deliberately differs from upstream 5.13.2 (validated copies, bounded provider calls,
// polling after a warm start), as a user sees it through `new PostHog(...)`.
import { client, fixtureData, mockApi, shutdownAll, startedUp } from './client-helpers'
import { fakeProvider, never } from './helpers'

afterEach(shutdownAll)

/** Polls a condition on real time; fails with a clear message instead of hanging. */
async function eventually(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('a warm start does not end polling', () => {
  it('keeps consulting the provider on its interval and fetches once it is told to', async () => {
    const api = mockApi()
    let leader = false
    const cache = fakeProvider({ read: fixtureData, shouldFetch: () => leader })
    // No evaluation, no reload: only the poller's own schedule may cause these calls.
    client({ flagDefinitionCacheProvider: cache, featureFlagsPollingInterval: 100 })
    await eventually(() => cache.shouldFetchFlagDefinitions.mock.calls.length >= 2, 'two refreshes')
    expect(cache.getFlagDefinitions.mock.calls.length).toBeGreaterThanOrEqual(3)
    expect(api.calls()).toBe(0)
    leader = true
    await eventually(() => cache.onFlagDefinitionsReceived.mock.calls.length >= 1, 'a fetch stored in the cache')
    expect(api.calls()).toBeGreaterThanOrEqual(1)
  })
})

describe('garbage in the cache never makes evaluation throw', () => {
  const garbage: Array<[string, unknown]> = [
    ['an empty object', {}],
    ['flags as a string', { flags: 'x', groupTypeMapping: {}, cohorts: {} }],
    ['flags that are not an array', { flags: { 0: null }, groupTypeMapping: {}, cohorts: {} }],
    ['a missing group mapping', { flags: fixtureData.flags, cohorts: {} }],
    ['a number', 42],
  ]

  it.each(garbage)('answers from the server when the only definitions are %s', async (_, value) => {
    mockApi(500)
    const { client: posthog, messages } = client({
      flagDefinitionCacheProvider: fakeProvider({ read: value, shouldFetch: false }),
    })
    await expect(posthog.getFeatureFlag('test-flag', 'user-1')).resolves.toBeUndefined()
    await expect(posthog.getAllFlags('user-1')).resolves.toEqual({})
    expect(posthog.isLocalEvaluationReady()).toBe(false)
    expect(
      messages().some((m) => m.startsWith('Failed to load from cache: the cached flag definitions are invalid'))
    ).toBe(true)
  })

  it.each(garbage)('keeps evaluating the good definitions when the cache later returns %s', async (_, value) => {
    mockApi(500)
    let cached: unknown = fixtureData
    const { client: posthog } = client({
      flagDefinitionCacheProvider: fakeProvider({ read: () => cached, shouldFetch: false }),
    })
    await startedUp(posthog)
    cached = value
    await posthog.reloadFeatureFlags()
    expect(await posthog.getFeatureFlag('test-flag', 'user-1')).toBe(false)
    expect(await posthog.getAllFlags('user-1')).toEqual({ 'test-flag': false })
    expect(posthog.isLocalEvaluationReady()).toBe(true)
  })
})

describe('a hanging provider never blocks', () => {
  it('getFeatureFlag: the provider is given up on after one timeout and the API answers', async () => {
    mockApi()
    const cache = fakeProvider({ read: never, shouldFetch: never, store: never })
    const { client: posthog, messages } = client({
      flagDefinitionCacheProvider: cache,
      flagDefinitionCacheProviderTimeoutMs: 100,
    })
    const startedAt = Date.now()
    expect(await posthog.getFeatureFlag('test-flag', 'user-1')).toBe(false)
    expect(Date.now() - startedAt).toBeLessThan(190)
    expect(messages().filter((m) => m.includes('did not settle within 100ms'))).toHaveLength(1)
  })

  it('shutdown: it resolves after the shutdown timeout and reports the provider', async () => {
    mockApi()
    const cache = fakeProvider({ read: fixtureData, shouldFetch: false, shutdown: never })
    const { client: posthog, messages } = client({ flagDefinitionCacheProvider: cache })
    await startedUp(posthog)
    await posthog.shutdown(100)
    expect(cache.shutdown).toHaveBeenCalledTimes(1)
    expect(messages()).toContain(
      'Error during cache shutdown: shutdown() did not settle within 100ms; the client went on without it'
    )
  })
})

describe('after shutdown', () => {
  it('neither the provider nor the API is called again, whatever the client is asked', async () => {
    const api = mockApi(401)
    const cache = fakeProvider({ read: undefined, shouldFetch: true })
    const { client: posthog } = client({ flagDefinitionCacheProvider: cache, featureFlagsPollingInterval: 100 })
    await startedUp(posthog)
    await posthog.shutdown(500)
    const seen = [
      api.calls(),
      cache.getFlagDefinitions.mock.calls.length,
      cache.shouldFetchFlagDefinitions.mock.calls.length,
    ]
    await posthog.reloadFeatureFlags()
    await posthog.getFeatureFlag('test-flag', 'user-1')
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect([
      api.calls(),
      cache.getFlagDefinitions.mock.calls.length,
      cache.shouldFetchFlagDefinitions.mock.calls.length,
    ]).toEqual(seen)
    expect(cache.shutdown).toHaveBeenCalledTimes(1)
  })
})

describe('the definitions request through the client', () => {
  it('makes one definitions request, not one per evaluation, while the API refuses the key', async () => {
    const api = mockApi(401)
    const { client: posthog } = client()
    for (let i = 0; i < 10; i++) await posthog.getFeatureFlag('test-flag', `user-${i}`)
    expect(api.calls()).toBe(1)
  })

  it('answers an evaluation after requestTimeout when the definitions request stalls', async () => {
    mockApi()
    const stalled = jest.fn((url: string) =>
      url.includes('local_evaluation')
        ? never()
        : Promise.resolve({ status: 200, json: async () => ({}), text: async () => '{}' })
    )
    const { client: posthog, messages } = client({ fetch: stalled as never, requestTimeout: 50 })
    await posthog.getFeatureFlag('test-flag', 'user-1')
    expect(messages()).toContain(
      'Failed to load feature flag definitions from the API: no complete response within 50ms (requestTimeout); ' +
        'local evaluation is not ready yet'
    )
  })
})
