// Push, then pull: a provider's change notification makes the client reload from the cache at once. A notification
// never causes an API request, a burst costs one read, and the subscription ends before provider.shutdown().
import type { FlagDefinitionCacheData } from '../../../src/contracts/provider'
import {
  cacheData,
  fakeProvider,
  flushAsync,
  mockDefinitions,
  resetAfterEach,
  startPoller,
  until,
} from '../polling/helpers'

afterEach(resetAfterEach)

function pushingProvider(read: () => unknown) {
  let notify: (() => void) | undefined
  const order: string[] = []
  const unsubscribe = jest.fn(() => {
    order.push('unsubscribe')
  })
  const base = fakeProvider({ read, shouldFetch: false, shutdown: () => order.push('shutdown') })
  const provider = {
    ...base,
    subscribe: jest.fn((onChange: () => void) => {
      notify = onChange
      return unsubscribe
    }),
  }
  return { provider, notify: () => notify!(), unsubscribe, order }
}

const withEtag = (etag: string, keys?: string[]): FlagDefinitionCacheData => ({ ...cacheData(keys), etag })

it('reloads from the cache as soon as the provider notifies, without an API request', async () => {
  const api = mockDefinitions()
  let stored = withEtag('"v1"', ['old-flag'])
  const { provider, notify } = pushingProvider(() => stored)
  const { poller } = startPoller({ provider, pollingIntervalMs: 60_000 })
  await poller.ensureLoaded()
  await until(() => provider.subscribe.mock.calls.length === 1, 'the subscription')
  stored = withEtag('"v2"', ['new-flag'])
  notify()
  await until(() => poller.definitions?.flagsByKey.has('new-flag') === true, 'the reload')
  expect(api.calls()).toBe(0)
  expect(provider.shouldFetchFlagDefinitions).not.toHaveBeenCalled()
  expect(poller.getStats()).toMatchObject({ notificationsReceived: 1, notificationReloads: 1, apiFetches: 0 })
})

it('coalesces a burst of notifications into one cache read', async () => {
  let stored = withEtag('"v1"', ['old-flag'])
  const { provider, notify } = pushingProvider(() => stored)
  const { poller } = startPoller({ provider, pollingIntervalMs: 60_000 })
  await poller.ensureLoaded()
  await until(() => provider.subscribe.mock.calls.length === 1, 'the subscription')
  const readsBefore = provider.getFlagDefinitions.mock.calls.length
  stored = withEtag('"v2"', ['new-flag'])
  for (let i = 0; i < 10; i++) notify()
  await flushAsync(20)
  // The first starts a read; the other nine, arriving while it runs, are one more read at most.
  expect(provider.getFlagDefinitions.mock.calls.length - readsBefore).toBeLessThanOrEqual(2)
  expect(poller.getStats().notificationsReceived).toBe(10)
  expect(poller.definitions?.flagsByKey.has('new-flag')).toBe(true)
})

it('does not re-prepare definitions it already holds (same ETag)', async () => {
  const { provider, notify } = pushingProvider(() => withEtag('"v1"'))
  const { poller, loads } = startPoller({ provider, pollingIntervalMs: 60_000 })
  await poller.ensureLoaded()
  await until(() => provider.subscribe.mock.calls.length === 1, 'the subscription')
  notify()
  await flushAsync(20)
  expect(loads).toEqual([1])
  expect(poller.getStats()).toMatchObject({ notificationsReceived: 1, notificationReloads: 0 })
})

it('ends the subscription at stop, before provider.shutdown(), and ignores later notifications', async () => {
  const { provider, notify, unsubscribe, order } = pushingProvider(() => withEtag('"v1"'))
  const { poller } = startPoller({ provider, pollingIntervalMs: 60_000 })
  await poller.ensureLoaded()
  await until(() => provider.subscribe.mock.calls.length === 1, 'the subscription')
  await poller.stop(500)
  expect(unsubscribe).toHaveBeenCalledTimes(1)
  expect(order).toEqual(['unsubscribe', 'shutdown'])
  const reads = provider.getFlagDefinitions.mock.calls.length
  notify()
  await flushAsync(10)
  expect(provider.getFlagDefinitions.mock.calls.length).toBe(reads)
})

it('keeps polling when subscribe throws, and says why', async () => {
  const provider = {
    ...fakeProvider({ read: () => withEtag('"v1"') }),
    subscribe: () => {
      throw new Error('no pub/sub here')
    },
  }
  const { poller, messages } = startPoller({ provider })
  await poller.ensureLoaded()
  await until(() => messages().length > 0, 'the report')
  expect(messages()).toEqual([expect.stringContaining('no pub/sub here')])
  expect(poller.definitions?.flagsByKey.has('test-flag')).toBe(true)
})

it('a hanging unsubscribe does not hold shutdown beyond its timeout', async () => {
  const provider = {
    ...fakeProvider({ read: () => withEtag('"v1"') }),
    subscribe: () => () => new Promise<void>(() => undefined),
  }
  const { poller } = startPoller({ provider })
  await poller.ensureLoaded()
  await flushAsync()
  const startedAt = Date.now()
  await poller.stop(300)
  expect(Date.now() - startedAt).toBeLessThan(1000)
  expect(provider.shutdown).toHaveBeenCalled()
})
