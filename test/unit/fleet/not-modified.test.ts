// Conditional definitions requests: the ETag a process sends is the one of the definitions it holds, and a 304 keeps
// them. With a provider, the ETag travels with the stored data so the whole fleet shares it.
import nock from 'nock'
import type { FlagDefinitionCacheData } from '../../../src/contracts/provider'
import {
  apiBody,
  cacheData,
  DEFINITIONS_PATH,
  fakeProvider,
  HOST,
  resetAfterEach,
  startPoller,
  until,
} from '../polling/helpers'

afterEach(resetAfterEach)

interface Seen {
  ifNoneMatch: string | undefined
}

/** Answers definitions requests in order from `replies`, recording the If-None-Match of each. */
function api(replies: { status: number; body?: unknown; etag?: string }[]): Seen[] {
  const seen: Seen[] = []
  let next = 0
  nock(HOST)
    .get(DEFINITIONS_PATH)
    .times(replies.length)
    .reply(function () {
      const header = this.req.headers['if-none-match']
      seen.push({ ifNoneMatch: Array.isArray(header) ? header.join(',') : header })
      const reply = replies[next++]
      const headers = reply.etag ? { ETag: reply.etag } : undefined
      return [reply.status, reply.status === 304 ? '' : JSON.stringify(reply.body ?? apiBody()), headers]
    })
  return seen
}

describe('without a provider', () => {
  it('sends the ETag of the definitions it holds, and a 304 keeps them in memory', async () => {
    const seen = api([
      { status: 200, etag: '"v1"' },
      { status: 304, etag: '"v1"' },
    ])
    const { poller, loads, errors } = startPoller()
    await poller.ensureLoaded()
    await poller.reload()
    expect(seen.map((s) => s.ifNoneMatch)).toEqual([undefined, '"v1"'])
    expect(poller.definitions?.flagsByKey.has('test-flag')).toBe(true)
    expect(loads).toEqual([1])
    expect(errors).toEqual([])
    expect(poller.getStats()).toMatchObject({ apiFetches: 2, notModified: 1, apiFetchFailures: 0 })
  })

  it('keeps the new ETag of a changed response', async () => {
    const seen = api([
      { status: 200, etag: '"v1"' },
      { status: 200, etag: '"v2"', body: apiBody(['other-flag']) },
      { status: 304 },
    ])
    const { poller } = startPoller()
    await poller.ensureLoaded()
    await poller.reload()
    await poller.reload()
    expect(seen.map((s) => s.ifNoneMatch)).toEqual([undefined, '"v1"', '"v2"'])
    expect(poller.definitions?.flagsByKey.has('other-flag')).toBe(true)
  })

  it('sends no ETag after a response without one', async () => {
    const seen = api([{ status: 200, etag: '"v1"' }, { status: 200 }, { status: 200 }])
    const { poller } = startPoller()
    await poller.ensureLoaded()
    await poller.reload()
    await poller.reload()
    expect(seen.map((s) => s.ifNoneMatch)).toEqual([undefined, '"v1"', undefined])
  })

  it('sends no ETag once a 402 emptied the flags in memory', async () => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined)
    const seen = api([{ status: 200, etag: '"v1"' }, { status: 402, body: {} }, { status: 200 }])
    const { poller } = startPoller()
    await poller.ensureLoaded()
    await poller.reload()
    await poller.reload()
    expect(seen.map((s) => s.ifNoneMatch)).toEqual([undefined, '"v1"', undefined])
  })

  it('treats a 304 to a request without an ETag as a failure, not as definitions', async () => {
    api([{ status: 304 }])
    const { poller, messages } = startPoller()
    await poller.ensureLoaded()
    expect(poller.definitions).toBeUndefined()
    expect(messages()).toEqual([expect.stringContaining('unexpected HTTP status 304')])
  })

  it('ignores an ETag header a request could not carry', async () => {
    const seen = api([
      { status: 200, etag: 'x'.repeat(600) },
      { status: 200, etag: '"v1"' },
    ])
    const { poller } = startPoller()
    await poller.ensureLoaded()
    await poller.reload()
    expect(seen.map((s) => s.ifNoneMatch)).toEqual([undefined, undefined])
  })
})

describe('with a provider', () => {
  const withEtag = (etag: unknown, keys?: string[]): FlagDefinitionCacheData =>
    ({ ...cacheData(keys), etag }) as FlagDefinitionCacheData

  it('hands the response ETag to the provider with the data', async () => {
    api([{ status: 200, etag: '"v1"' }])
    const provider = fakeProvider({ read: undefined, shouldFetch: true })
    const { poller } = startPoller({ provider })
    await poller.ensureLoaded()
    await until(() => provider.onFlagDefinitionsReceived.mock.calls.length > 0, 'the store')
    expect(provider.onFlagDefinitionsReceived).toHaveBeenCalledWith(expect.objectContaining({ etag: '"v1"' }))
  })

  it('the lease holder sends the ETag of the cached definitions it holds; a 304 marks the entry fresh, nothing is stored', async () => {
    const seen = api([{ status: 304, etag: '"v1"' }])
    const onFlagDefinitionsNotModified = jest.fn(() => true)
    const provider = { ...fakeProvider({ read: withEtag('"v1"'), shouldFetch: true }), onFlagDefinitionsNotModified }
    const { poller, loads } = startPoller({ provider })
    await poller.ensureLoaded() // warm start from the cache
    await poller.reload()
    expect(seen.map((s) => s.ifNoneMatch)).toEqual(['"v1"'])
    expect(onFlagDefinitionsNotModified).toHaveBeenCalledWith('"v1"')
    expect(provider.onFlagDefinitionsReceived).not.toHaveBeenCalled()
    expect(loads).toEqual([1])
    expect(poller.getStats()).toMatchObject({ notModified: 1, apiFetches: 1 })
  })

  it('downloads in full and stores when the provider says its entry holds other data', async () => {
    const seen = api([{ status: 304 }, { status: 200, etag: '"v1"' }])
    const onFlagDefinitionsNotModified = jest.fn(() => false)
    const provider = { ...fakeProvider({ read: withEtag('"v1"'), shouldFetch: true }), onFlagDefinitionsNotModified }
    const { poller } = startPoller({ provider })
    await poller.ensureLoaded()
    await poller.reload()
    expect(seen.map((s) => s.ifNoneMatch)).toEqual(['"v1"', undefined])
    expect(provider.onFlagDefinitionsReceived).toHaveBeenCalledWith(expect.objectContaining({ etag: '"v1"' }))
  })

  it('sends no ETag for a provider that cannot take a 304', async () => {
    const seen = api([{ status: 200, etag: '"v1"' }])
    const provider = fakeProvider({ read: withEtag('"v1"'), shouldFetch: true })
    const { poller } = startPoller({ provider })
    await poller.ensureLoaded()
    await poller.reload()
    expect(seen.map((s) => s.ifNoneMatch)).toEqual([undefined])
    expect(provider.onFlagDefinitionsReceived).toHaveBeenCalledTimes(1)
  })

  it('never sends a cached ETag that could split a header', async () => {
    const seen = api([{ status: 200 }])
    const provider = {
      ...fakeProvider({ read: withEtag('"v1"\r\nX-Evil: 1'), shouldFetch: true }),
      onFlagDefinitionsNotModified: jest.fn(),
    }
    const { poller } = startPoller({ provider })
    await poller.ensureLoaded()
    await poller.reload()
    expect(seen.map((s) => s.ifNoneMatch)).toEqual([undefined])
  })

  it('a process with nothing in memory sends no ETag, whatever the cache holds later', async () => {
    const seen = api([{ status: 200, etag: '"v2"' }])
    const provider = {
      ...fakeProvider({ read: undefined, shouldFetch: true }),
      onFlagDefinitionsNotModified: jest.fn(),
    }
    const { poller } = startPoller({ provider })
    await poller.ensureLoaded()
    expect(seen.map((s) => s.ifNoneMatch)).toEqual([undefined])
  })
})
