// The poller with a FlagDefinitionCacheProvider: when each provider method is called, and how a throwing, hanging
// or lying provider is contained.
import type { FlagDefinitionCacheData } from '../../../src/contracts/provider'
import nock from 'nock'
import {
  FAKE_TIMERS,
  advance,
  apiBody,
  cacheData,
  fakeProvider,
  flushAsync,
  mockDefinitions,
  never,
  startPoller,
  resetAfterEach,
  until,
} from './helpers'

afterEach(resetAfterEach)

describe('start-up', () => {
  it('reads the cache before anything else, and a warm cache needs no API call', async () => {
    const api = mockDefinitions()
    const provider = fakeProvider({ read: cacheData(), shouldFetch: true })
    const { poller, loads } = startPoller({ provider })
    await poller.ensureLoaded()
    expect(provider.getFlagDefinitions).toHaveBeenCalledTimes(1)
    expect(provider.shouldFetchFlagDefinitions).not.toHaveBeenCalled()
    expect(api.calls()).toBe(0)
    expect(poller.definitions?.flagsByKey.has('test-flag')).toBe(true)
    expect(loads).toEqual([1])
    expect(poller.getStats()).toMatchObject({ cacheHits: 1, apiFetches: 0, lastLoadSource: 'cache', flagCount: 1 })
  })

  it('emits the load of a synchronous cache read after the constructor returned', async () => {
    const { poller, loads } = startPoller({ provider: fakeProvider({ read: cacheData() }) })
    expect(loads).toEqual([])
    expect(poller.definitions).toBeUndefined()
    await flushAsync()
    expect(loads).toEqual([1])
  })

  it('starts the cache read inside the constructor, and publishes only after it returned', () => {
    const provider = fakeProvider({ read: cacheData() })
    const { poller, loads } = startPoller({ provider })
    expect(provider.getFlagDefinitions).toHaveBeenCalledTimes(1)
    expect(poller.definitions).toBeUndefined()
    expect(loads).toEqual([])
  })

  it('on a cold cache asks whether to fetch, fetches, and stores a copy of what it fetched', async () => {
    const api = mockDefinitions()
    const stored: FlagDefinitionCacheData[] = []
    const provider = fakeProvider({ read: undefined, shouldFetch: true, store: (data) => void stored.push(data) })
    const { poller } = startPoller({ provider })
    await poller.reload()
    expect(api.calls()).toBe(1)
    expect(provider.shouldFetchFlagDefinitions).toHaveBeenCalledTimes(1)
    expect(stored).toEqual([cacheData()])
    // The provider got its own copy: emptying it leaves the definitions in memory intact.
    stored[0].flags.length = 0
    expect(poller.definitions?.flagsByKey.has('test-flag')).toBe(true)
  })

  it('treats one start-up load as one load: evaluations and reloads join it instead of racing it', async () => {
    let release: (value: unknown) => void = () => undefined
    const provider = fakeProvider({ read: () => new Promise((resolve) => (release = resolve)), shouldFetch: true })
    const api = mockDefinitions(200, apiBody(), 3)
    const { poller } = startPoller({ provider, providerTimeoutMs: 5000 })
    const waiting = [poller.ensureLoaded(), poller.reload(), poller.ensureLoaded()]
    await flushAsync()
    expect(provider.shouldFetchFlagDefinitions).not.toHaveBeenCalled()
    release(cacheData(['from-cache']))
    await Promise.all(waiting)
    expect(api.calls()).toBe(0)
    expect(provider.getFlagDefinitions).toHaveBeenCalledTimes(1)
    expect(poller.definitions?.flagsByKey.has('from-cache')).toBe(true)
  })

  it.each([
    [
      'throws synchronously',
      () => {
        throw new Error('sync read')
      },
    ],
    ['rejects', () => Promise.reject(new Error('async read'))],
    ['never settles', never],
  ])('fetches from the API when the start-up read %s', async (_, read) => {
    const api = mockDefinitions()
    const { poller, messages } = startPoller({
      provider: fakeProvider({ read, shouldFetch: true }),
      providerTimeoutMs: 30,
    })
    await poller.ensureLoaded()
    expect(api.calls()).toBe(1)
    expect(poller.hasLoaded).toBe(true)
    expect(messages()[0]).toMatch(/^Failed to load from cache: /)
  })
})

describe('validating what the cache returns', () => {
  it.each([
    ['an empty object', {}, 'flags is undefined, expected an array'],
    ['a string', 'garbage', 'definitions are a string, expected an object'],
    ['flags that are not an array', { ...cacheData(), flags: {} }, 'flags is an object, expected an array'],
    ['a missing group mapping', { flags: [], cohorts: {} }, 'groupTypeMapping is undefined'],
    ['a null group mapping', { ...cacheData(), groupTypeMapping: null }, 'groupTypeMapping is null'],
    ['cohorts of the wrong type', { ...cacheData(), cohorts: [] }, 'cohorts is an array'],
  ])('rejects %s at start-up and fetches instead', async (_, read, reason) => {
    const api = mockDefinitions()
    const { poller, messages } = startPoller({ provider: fakeProvider({ read, shouldFetch: false }) })
    await poller.ensureLoaded()
    expect(messages()[0]).toContain(`Failed to load from cache: the cached flag definitions are invalid (${reason}`)
    expect(api.calls()).toBe(1) // the emergency fetch: nothing valid anywhere
    expect(poller.definitions?.flagCount).toBe(1)
    expect(poller.getStats()).toMatchObject({ cacheInvalid: 2, cacheHits: 0 })
  })

  it('rejects a value that cannot be copied', async () => {
    mockDefinitions()
    const read = { ...cacheData(), extra: () => 1 }
    const { poller, messages } = startPoller({ provider: fakeProvider({ read, shouldFetch: true }) })
    await poller.ensureLoaded()
    expect(messages()[0]).toMatch(
      /^Failed to load from cache: the cached flag definitions are invalid \(the value cannot be copied/
    )
  })

  it('keeps the current definitions when a later cache read is garbage', async () => {
    let cached: unknown = cacheData()
    const { poller, messages, loads } = startPoller({
      provider: fakeProvider({ read: () => cached, shouldFetch: false }),
    })
    await poller.ensureLoaded()
    const before = poller.definitions
    cached = { flags: 'oops' }
    await poller.reload()
    expect(poller.definitions).toBe(before)
    expect(messages()).toEqual([
      'Failed to load from cache: the cached flag definitions are invalid (flags is a string, expected an array); they were ignored',
    ])
    expect(loads).toEqual([1])
  })

  it('is not affected when the provider later mutates the object it returned', async () => {
    const shared = cacheData()
    const { poller } = startPoller({ provider: fakeProvider({ read: shared, shouldFetch: false }) })
    await poller.ensureLoaded()
    shared.flags.length = 0
    expect(poller.definitions?.flagsByKey.has('test-flag')).toBe(true)
  })
})

describe('every refresh consults the provider', () => {
  it('keeps polling after a warm start: re-reads the cache, then fetches once told to', async () => {
    jest.useFakeTimers(FAKE_TIMERS)
    const api = mockDefinitions(200, apiBody(['fresh']), 5)
    let leader = false
    const provider = fakeProvider({ read: cacheData(), shouldFetch: () => leader })
    const { poller, loads } = startPoller({ provider, pollingIntervalMs: 1000 })
    await advance(0)
    expect(provider.shouldFetchFlagDefinitions).not.toHaveBeenCalled()
    await advance(1000)
    expect(provider.shouldFetchFlagDefinitions).toHaveBeenCalledTimes(1)
    expect(provider.getFlagDefinitions).toHaveBeenCalledTimes(2)
    expect(api.calls()).toBe(0)
    leader = true
    await advance(1000)
    await until(() => api.calls() === 1 && provider.onFlagDefinitionsReceived.mock.calls.length === 1, 'the fetch')
    expect(poller.definitions?.flagsByKey.has('fresh')).toBe(true)
    expect(loads).toEqual([1, 1, 1])
  })

  it('reads the cache and never stores when told not to fetch', async () => {
    const api = mockDefinitions()
    const provider = fakeProvider({ read: cacheData(), shouldFetch: false })
    const { poller } = startPoller({ provider })
    await poller.ensureLoaded()
    await poller.reload()
    await poller.reload()
    expect(api.calls()).toBe(0)
    expect(provider.getFlagDefinitions).toHaveBeenCalledTimes(3)
    expect(provider.onFlagDefinitionsReceived).not.toHaveBeenCalled()
  })

  it('fetches for itself only, when told not to fetch while the cache and memory stay empty', async () => {
    const api = mockDefinitions()
    const provider = fakeProvider({ read: undefined, shouldFetch: false })
    const { poller } = startPoller({ provider, requestTimeoutMs: 300 })
    await poller.reload()
    expect(api.calls()).toBe(1)
    expect(poller.hasLoaded).toBe(true)
    expect(provider.onFlagDefinitionsReceived).not.toHaveBeenCalled()
    // start-up read, follower read, then the bounded re-reads while waiting for the lease holder
    expect(provider.getFlagDefinitions.mock.calls.length).toBeGreaterThan(2)
    expect(poller.getStats()).toMatchObject({ apiFetches: 1 })
  })

  it('waits for the copy of the process that holds the lease instead of fetching at a cold start', async () => {
    const api = mockDefinitions()
    let cached: unknown = undefined
    const provider = fakeProvider({ read: () => cached, shouldFetch: false })
    const { poller } = startPoller({ provider, requestTimeoutMs: 2000 })
    setTimeout(() => (cached = cacheData()), 150) // the lease holder stores its fetch
    await poller.ensureLoaded()
    expect(poller.hasLoaded).toBe(true)
    expect(api.calls()).toBe(0)
    expect(poller.getStats()).toMatchObject({ cacheHits: 1, apiFetches: 0, lastLoadSource: 'cache' })
  })

  it('keeps what it has, without a request, when told not to fetch and the cache went empty', async () => {
    let cached: unknown = cacheData()
    const api = mockDefinitions()
    const { poller } = startPoller({ provider: fakeProvider({ read: () => cached, shouldFetch: false }) })
    await poller.ensureLoaded()
    cached = undefined
    await poller.reload()
    expect(api.calls()).toBe(0)
    expect(poller.definitions?.flagCount).toBe(1)
  })

  it.each([
    [
      'throws',
      () => {
        throw new Error('lock backend down')
      },
    ],
    ['rejects', () => Promise.reject(new Error('lock backend down'))],
    ['never settles', never],
  ])('fetches and stores when shouldFetchFlagDefinitions %s', async (_, shouldFetch) => {
    const api = mockDefinitions()
    const provider = fakeProvider({ read: undefined, shouldFetch })
    const { poller, messages } = startPoller({ provider, providerTimeoutMs: 30 })
    await poller.reload()
    expect(api.calls()).toBe(1)
    expect(provider.onFlagDefinitionsReceived).toHaveBeenCalledTimes(1)
    expect(messages()[0]).toMatch(/^Error in shouldFetchFlagDefinitions: /)
  })

  it('accepts thenables and async answers from every method', async () => {
    mockDefinitions()
    const thenable = <T>(value: T) => ({ then: (resolve: (v: T) => void) => resolve(value) })
    const provider = fakeProvider({
      read: () => thenable(undefined),
      shouldFetch: () => thenable(true),
      store: () => thenable(undefined),
    })
    const { poller, errors } = startPoller({ provider })
    await poller.reload()
    expect(poller.hasLoaded).toBe(true)
    expect(provider.onFlagDefinitionsReceived).toHaveBeenCalledTimes(1)
    expect(errors).toEqual([])
  })

  it('keeps the fetched definitions and reports it when storing them fails', async () => {
    mockDefinitions()
    const provider = fakeProvider({ read: undefined, store: () => Promise.reject(new Error('disk full')) })
    const { poller, messages, loads } = startPoller({ provider })
    await poller.reload()
    expect(poller.definitions?.flagCount).toBe(1)
    expect(loads).toEqual([1])
    expect(messages()).toEqual(['Failed to store in cache: Error: disk full'])
  })

  it('publishes fetched definitions before a slow store finishes', async () => {
    mockDefinitions()
    const provider = fakeProvider({ read: undefined, store: never })
    const { poller } = startPoller({ provider, providerTimeoutMs: 5000 })
    const startedAt = Date.now()
    await poller.ensureLoaded()
    expect(poller.definitions?.flagCount).toBe(1)
    expect(Date.now() - startedAt).toBeLessThan(2000) // not held by the store, which never settles
    await until(() => provider.onFlagDefinitionsReceived.mock.calls.length === 1, 'the store')
  })

  it('uses a copy another process stored when its own fetch fails', async () => {
    nock('http://example.com')
      .get(/local_evaluation/)
      .reply(500)
    let reads = 0
    const provider = fakeProvider({ read: () => (reads++ === 0 ? undefined : cacheData(['stored-by-another'])) })
    const { poller, messages } = startPoller({ provider })
    await poller.reload()
    expect(provider.getFlagDefinitions).toHaveBeenCalledTimes(2)
    expect(poller.definitions?.flagsByKey.has('stored-by-another')).toBe(true)
    expect(poller.getStats().lastLoadSource).toBe('cache')
    expect(messages()[0]).toMatch(/unexpected HTTP status 500/)
  })

  it('on 402 tells the provider nothing and does not restore the flags from the cache', async () => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined)
    mockDefinitions(402, {})
    const provider = fakeProvider({ read: cacheData(), shouldFetch: true })
    const { poller } = startPoller({ provider })
    await poller.ensureLoaded()
    await poller.reload()
    expect(poller.definitions?.flagCount).toBe(0)
    expect(provider.onFlagDefinitionsReceived).not.toHaveBeenCalled()
    expect(provider.getFlagDefinitions).toHaveBeenCalledTimes(1)
  })

  it('asks the API one provider timeout after a first load whose cache read hangs, without asking for the lease', async () => {
    mockDefinitions()
    const provider = fakeProvider({ read: never, shouldFetch: never, store: never })
    const { poller } = startPoller({ provider, providerTimeoutMs: 100 })
    const startedAt = Date.now()
    await poller.ensureLoaded()
    expect(Date.now() - startedAt).toBeLessThan(190) // one timeout, not two
    expect(poller.definitions?.flagCount).toBe(1)
    expect(poller.getStats()).toMatchObject({ providerTimeouts: 1, apiFetches: 1 })
    // It holds no lease, so it does not write what it fetched.
    expect(provider.shouldFetchFlagDefinitions).not.toHaveBeenCalled()
    expect(provider.onFlagDefinitionsReceived).not.toHaveBeenCalled()
  })

  it('gives the first shouldFetchFlagDefinitions what the start-up read left of the provider timeout', async () => {
    mockDefinitions()
    const provider = fakeProvider({
      read: () => new Promise((resolve) => setTimeout(() => resolve(undefined), 60)),
      shouldFetch: never,
    })
    const { poller, messages } = startPoller({ provider, providerTimeoutMs: 100 })
    const startedAt = Date.now()
    await poller.ensureLoaded()
    expect(Date.now() - startedAt).toBeLessThan(150)
    expect(poller.definitions?.flagCount).toBe(1)
    expect(messages()[0]).toMatch(
      /^Error in shouldFetchFlagDefinitions: shouldFetchFlagDefinitions\(\) did not settle within (3|4)\dms/
    )
  })
})

describe('stopping with a provider', () => {
  it('calls shutdown exactly once, and no provider method afterwards', async () => {
    jest.useFakeTimers(FAKE_TIMERS)
    const provider = fakeProvider({ read: cacheData(), shouldFetch: false })
    const { poller } = startPoller({ provider, pollingIntervalMs: 100 })
    await advance(0)
    await Promise.all([poller.stop(1000), poller.stop(1000)])
    const calls = provider.getFlagDefinitions.mock.calls.length
    await poller.reload()
    await poller.ensureLoaded()
    await advance(10_000)
    expect(provider.shutdown).toHaveBeenCalledTimes(1)
    expect(provider.getFlagDefinitions).toHaveBeenCalledTimes(calls)
    expect(provider.shouldFetchFlagDefinitions).not.toHaveBeenCalled()
  })

  it('lets a provider call in flight finish before shutdown, and makes no further call', async () => {
    const order: string[] = []
    let finishRead: (value: unknown) => void = () => undefined
    const provider = fakeProvider({
      read: () => {
        order.push('read')
        return new Promise((resolve) => (finishRead = resolve))
      },
      shutdown: () => void order.push('shutdown'),
    })
    const { poller } = startPoller({ provider, providerTimeoutMs: 5000 })
    await until(() => order.length === 1, 'the read')
    const stopped = poller.stop(1000)
    await flushAsync()
    expect(order).toEqual(['read'])
    finishRead(undefined)
    await stopped
    expect(order).toEqual(['read', 'shutdown'])
    expect(provider.shouldFetchFlagDefinitions).not.toHaveBeenCalled()
  })

  it('gives up on a shutdown that never settles after the timeout, and reports it', async () => {
    const { poller, messages } = startPoller({ provider: fakeProvider({ read: cacheData(), shutdown: never }) })
    await poller.ensureLoaded()
    await poller.stop(30)
    expect(messages()).toEqual([
      'Error during cache shutdown: shutdown() did not settle within 30ms; the client went on without it',
    ])
  })

  it('bounds the whole stop by the timeout even when a provider call in flight hangs', async () => {
    const provider = fakeProvider({ read: never })
    const { poller, messages } = startPoller({ provider, providerTimeoutMs: 60_000 })
    await until(() => provider.getFlagDefinitions.mock.calls.length === 1, 'the read')
    const startedAt = Date.now()
    await poller.stop(50)
    expect(Date.now() - startedAt).toBeLessThan(5000)
    expect(provider.shutdown).toHaveBeenCalledTimes(1)
    expect(messages()).toEqual([]) // a synchronous shutdown still succeeds with no time left
  })

  it('releases an evaluation waiting for the first load when it stops, without waiting for the hung call', async () => {
    const provider = fakeProvider({ read: never })
    const { poller } = startPoller({ provider, providerTimeoutMs: 60_000 })
    await until(() => provider.getFlagDefinitions.mock.calls.length === 1, 'the read')
    let released = false
    const evaluation = poller.ensureLoaded().then(() => (released = true))
    await poller.stop(20)
    await flushAsync()
    expect(released).toBe(true)
    await evaluation
  })

  it('releases a reload waiting on a hung provider call when it stops', async () => {
    const provider = fakeProvider({ read: cacheData(), shouldFetch: never })
    const { poller } = startPoller({ provider, providerTimeoutMs: 60_000 })
    await poller.ensureLoaded()
    let released = false
    const reload = poller.reload().then(() => (released = true))
    await until(() => provider.shouldFetchFlagDefinitions.mock.calls.length === 1, 'shouldFetch')
    await poller.stop(20)
    await flushAsync()
    expect(released).toBe(true)
    await reload
  })

  it('reports a rejecting shutdown by the time stop resolves', async () => {
    const provider = fakeProvider({ read: cacheData(), shutdown: () => Promise.reject(new Error('quit failed')) })
    const { poller, messages } = startPoller({ provider })
    await poller.ensureLoaded()
    await poller.stop(1000)
    expect(messages()).toEqual(['Error during cache shutdown: Error: quit failed'])
  })
})
