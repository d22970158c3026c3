// The 24 behaviours pinned by upstream's cache.spec.ts at 5.13.2, restated through `new PostHog(...)`.
// They pass against upstream 5.13.2 too (checked by pointing client-helpers at posthog-node-upstream and using its
// poller's loadFeatureFlags() in startedUp), so they pin shared behaviour, not our fixes.
import type { FlagDefinitionCacheProvider } from '../../../src/contracts/provider'
import { client, fixtureData, mockApi, shutdownAll, startedUp } from './client-helpers'
import { fakeProvider, flushAsync } from './helpers'

afterEach(shutdownAll)

const provider = (spec: Parameters<typeof fakeProvider>[0]) => fakeProvider(spec)
const start = (flagDefinitionCacheProvider?: FlagDefinitionCacheProvider) => client({ flagDefinitionCacheProvider })

describe('start-up with a cache provider', () => {
  it('1. reads the cache at start-up when it is empty and fetching is allowed', async () => {
    mockApi()
    const cache = provider({ read: undefined, shouldFetch: true })
    await startedUp(start(cache).client)
    expect(cache.getFlagDefinitions).toHaveBeenCalled()
  })

  it('2. becomes ready from the cache alone when it holds data and fetching is disallowed', async () => {
    const api = mockApi()
    const { client: posthog } = start(provider({ read: fixtureData, shouldFetch: false }))
    await startedUp(posthog)
    expect(posthog.isLocalEvaluationReady()).toBe(true)
    expect(api.calls()).toBe(0)
  })

  it('3. requests the definitions when the cache is empty and fetching is allowed', async () => {
    const api = mockApi()
    await startedUp(start(provider({ read: undefined, shouldFetch: true })).client)
    expect(api.calls()).toBe(1)
  })

  it('4. delivers localEvaluationFlagsLoaded from a synchronous cache read to a listener attached after construction', async () => {
    mockApi()
    const { client: posthog } = start(provider({ read: fixtureData, shouldFetch: false }))
    const counts: number[] = []
    posthog.on('localEvaluationFlagsLoaded', (count: number) => counts.push(count))
    await startedUp(posthog)
    expect(counts[0]).toBe(1)
  })
})

describe('fetch coordination', () => {
  it('5. consults shouldFetchFlagDefinitions when the cache is empty', async () => {
    mockApi()
    const cache = provider({ read: undefined, shouldFetch: true })
    await startedUp(start(cache).client)
    expect(cache.shouldFetchFlagDefinitions).toHaveBeenCalled()
  })

  it('6. hands exactly the camelCase definitions to the write hook after fetching', async () => {
    const api = mockApi()
    const cache = provider({ read: undefined, shouldFetch: true })
    await startedUp(start(cache).client)
    await flushAsync()
    expect(api.calls()).toBe(1)
    expect(cache.onFlagDefinitionsReceived).toHaveBeenCalledWith(fixtureData)
  })

  it('7. reads the cache again after shouldFetch said no and the first read was empty', async () => {
    mockApi()
    let reads = 0
    const cache = provider({ read: () => (reads++ === 0 ? undefined : fixtureData), shouldFetch: false })
    const { client: posthog } = start(cache)
    await startedUp(posthog)
    expect(cache.shouldFetchFlagDefinitions).toHaveBeenCalled()
    expect(cache.getFlagDefinitions.mock.calls.length).toBeGreaterThanOrEqual(2)
    expect(posthog.isLocalEvaluationReady()).toBe(true)
  })

  it('8. still requests the definitions when fetching is disallowed, the cache stays empty and nothing is loaded', async () => {
    const api = mockApi()
    await startedUp(start(provider({ read: undefined, shouldFetch: false })).client)
    expect(api.calls()).toBe(1)
  })

  it('9. never calls the write hook when fetching is disallowed and the cache has data', async () => {
    mockApi()
    const cache = provider({ read: fixtureData, shouldFetch: false })
    const { client: posthog } = start(cache)
    await startedUp(posthog)
    await posthog.reloadFeatureFlags()
    expect(cache.onFlagDefinitionsReceived).not.toHaveBeenCalled()
  })
})

describe('error handling', () => {
  it('10. survives a read hook that throws synchronously: requests the definitions and becomes ready', async () => {
    const api = mockApi()
    const cache = provider({
      read: () => {
        throw new Error('sync read failure')
      },
      shouldFetch: true,
    })
    const { client: posthog } = start(cache)
    await startedUp(posthog)
    expect(api.calls()).toBe(1)
    expect(posthog.isLocalEvaluationReady()).toBe(true)
  })

  it('11. reports a rejecting shouldFetch as "Error in shouldFetchFlagDefinitions" and still requests', async () => {
    const api = mockApi()
    const { client: posthog, messages } = start(
      provider({ read: undefined, shouldFetch: () => Promise.reject(new Error('lock failed')) })
    )
    await startedUp(posthog)
    expect(messages().some((m) => m.includes('Error in shouldFetchFlagDefinitions'))).toBe(true)
    expect(api.calls()).toBe(1)
  })

  it('12. reports a rejecting write hook as "Failed to store in cache" and stays ready', async () => {
    mockApi()
    const { client: posthog, messages } = start(
      provider({ read: undefined, shouldFetch: true, store: () => Promise.reject(new Error('write failed')) })
    )
    await startedUp(posthog)
    expect(messages().some((m) => m.includes('Failed to store in cache'))).toBe(true)
    expect(posthog.isLocalEvaluationReady()).toBe(true)
  })

  it('13. reports a rejecting shutdown hook as "Error during cache shutdown" by the time shutdown() returns', async () => {
    mockApi()
    const cache = provider({ read: fixtureData, shutdown: () => Promise.reject(new Error('quit failed')) })
    const { client: posthog, messages } = start(cache)
    await startedUp(posthog)
    await posthog.shutdown()
    expect(cache.shutdown).toHaveBeenCalled()
    expect(messages().some((m) => m.includes('Error during cache shutdown'))).toBe(true)
  })
})

describe('sync and async providers', () => {
  it('14. becomes ready from a synchronous read hook', async () => {
    mockApi()
    const { client: posthog } = start(provider({ read: fixtureData, shouldFetch: false }))
    await startedUp(posthog)
    expect(posthog.isLocalEvaluationReady()).toBe(true)
  })

  it('15. becomes ready from an async read hook', async () => {
    mockApi()
    const { client: posthog } = start(provider({ read: async () => fixtureData, shouldFetch: false }))
    await startedUp(posthog)
    expect(posthog.isLocalEvaluationReady()).toBe(true)
  })

  it('16. requests the definitions after a synchronous true from shouldFetch', async () => {
    const api = mockApi()
    await startedUp(start(provider({ read: undefined, shouldFetch: true })).client)
    expect(api.calls()).toBe(1)
  })

  it('17. requests the definitions after an async true from shouldFetch', async () => {
    const api = mockApi()
    await startedUp(start(provider({ read: undefined, shouldFetch: async () => true })).client)
    expect(api.calls()).toBe(1)
  })

  it('18. calls an async shutdown hook during client shutdown', async () => {
    mockApi()
    const cache = provider({ read: fixtureData, shutdown: async () => undefined })
    const { client: posthog } = start(cache)
    await posthog.shutdown()
    expect(cache.shutdown).toHaveBeenCalledTimes(1)
  })

  it('19. calls a synchronous shutdown hook during client shutdown', async () => {
    mockApi()
    const cache = provider({ read: fixtureData, shutdown: () => undefined })
    const { client: posthog } = start(cache)
    await posthog.shutdown()
    expect(cache.shutdown).toHaveBeenCalledTimes(1)
  })
})

describe('data flow', () => {
  it('20. evaluates flags loaded from the cache at once (no conditions: false)', async () => {
    mockApi()
    const { client: posthog } = start(provider({ read: fixtureData, shouldFetch: false }))
    await startedUp(posthog)
    expect(await posthog.getFeatureFlag('test-flag', 'user-1')).toBe(false)
  })

  it('21. hands API definitions to the write hook and becomes ready', async () => {
    mockApi()
    const cache = provider({ read: undefined, shouldFetch: true })
    const { client: posthog } = start(cache)
    await startedUp(posthog)
    expect(cache.onFlagDefinitionsReceived).toHaveBeenCalledTimes(1)
    expect(posthog.isLocalEvaluationReady()).toBe(true)
  })

  it('22. reads the cache, becomes ready, and evaluates the cached flag to a defined value', async () => {
    mockApi()
    const cache = provider({ read: fixtureData, shouldFetch: false })
    const { client: posthog } = start(cache)
    await startedUp(posthog)
    expect(cache.getFlagDefinitions).toHaveBeenCalled()
    expect(posthog.isLocalEvaluationReady()).toBe(true)
    expect(await posthog.getFeatureFlag('test-flag', 'user-1')).toBeDefined()
  })

  it('23. requests the definitions and becomes ready without any provider', async () => {
    const api = mockApi()
    const { client: posthog } = start()
    await startedUp(posthog)
    expect(api.calls()).toBe(1)
    expect(posthog.isLocalEvaluationReady()).toBe(true)
  })

  it('24. becomes ready from a stale snapshot whose only flag is inactive and deleted, which evaluates false', async () => {
    mockApi()
    const stale = { ...fixtureData, flags: [{ ...fixtureData.flags[0], active: false, deleted: true }] }
    const { client: posthog } = start(provider({ read: stale, shouldFetch: false }))
    await startedUp(posthog)
    expect(posthog.isLocalEvaluationReady()).toBe(true)
    expect(await posthog.getFeatureFlag('test-flag', 'user-1')).toBe(false)
  })
})
