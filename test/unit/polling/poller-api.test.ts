// The poller without a cache provider: upstream's API behaviour, plus a request timeout, one load at a time, no
// request storm while the first load fails, reported failures and a stop that is final.
import nock from 'nock'
import { ClientError, QUOTA_LIMITED_WARNING } from '../../../src/polling/errors'
import {
  FAKE_TIMERS,
  advance,
  apiBody,
  flushAsync,
  mockDefinitions,
  never,
  startPoller,
  resetAfterEach,
  until,
} from './helpers'

afterEach(resetAfterEach)

/** A fetch under test control: counts calls, and answers each with the next response (or hangs). */
function scriptedFetch(responses: Array<{ status: number; body?: unknown; delayMs?: number } | 'hang'>) {
  let calls = 0
  let inFlight = 0
  let maxInFlight = 0
  const fetch = (_url: string, _options: unknown) => {
    const response = responses[Math.min(calls, responses.length - 1)]
    calls += 1
    if (response === 'hang') return never()
    inFlight += 1
    maxInFlight = Math.max(maxInFlight, inFlight)
    const reply = { status: response.status, json: async () => response.body ?? apiBody(), text: async () => '' }
    if (!response.delayMs) {
      inFlight -= 1
      return Promise.resolve(reply)
    }
    return new Promise((resolve) =>
      setTimeout(() => {
        inFlight -= 1
        resolve(reply)
      }, response.delayMs)
    )
  }
  return { fetch, calls: () => calls, maxInFlight: () => maxInFlight }
}

describe('loading from the API', () => {
  it('loads the definitions at start and publishes the flag count', async () => {
    const api = mockDefinitions()
    const { poller, loads, errors } = startPoller()
    await poller.ensureLoaded()
    expect(api.calls()).toBe(1)
    expect(poller.hasLoaded).toBe(true)
    expect(poller.definitions?.flagsByKey.has('test-flag')).toBe(true)
    expect(loads).toEqual([1])
    expect(errors).toEqual([])
    expect(poller.getStats()).toMatchObject({ apiFetches: 1, lastLoadSource: 'api', flagCount: 1 })
  })

  it('answers ensureLoaded at once, without I/O, once something is loaded', async () => {
    const api = mockDefinitions(200, apiBody(), 5)
    const { poller } = startPoller()
    await poller.ensureLoaded()
    await Promise.all([poller.ensureLoaded(), poller.ensureLoaded()])
    expect(api.calls()).toBe(1)
  })

  it('looks fetch up for every request and calls what it finds', async () => {
    const scripted = scriptedFetch([{ status: 200 }])
    const getFetch = jest.fn(() => scripted.fetch as never)
    const { poller } = startPoller({ getFetch })
    await poller.ensureLoaded()
    await poller.reload()
    expect(getFetch).toHaveBeenCalledTimes(2)
    expect(scripted.calls()).toBe(2)
  })

  it('refreshes on its interval', async () => {
    jest.useFakeTimers(FAKE_TIMERS)
    const scripted = scriptedFetch([{ status: 200 }])
    const { poller } = startPoller({ getFetch: () => scripted.fetch as never, pollingIntervalMs: 1000 })
    await poller.ensureLoaded()
    expect(scripted.calls()).toBe(1)
    await advance(1000)
    expect(scripted.calls()).toBe(2)
    await advance(1000)
    expect(scripted.calls()).toBe(3)
  })

  it('arms the next tick only after the current load settled, so slow requests never overlap', async () => {
    jest.useFakeTimers(FAKE_TIMERS)
    const scripted = scriptedFetch([{ status: 200, delayMs: 2500 }])
    startPoller({ getFetch: () => scripted.fetch as never, pollingIntervalMs: 1000, requestTimeoutMs: 10_000 })
    await advance(0)
    await advance(10_000)
    expect(scripted.maxInFlight()).toBe(1)
    // 3.5 s per cycle (2.5 s request + 1 s interval): cycles start at 0, 3.5, 7 s.
    expect(scripted.calls()).toBe(3)
  })

  it('falls back to 30 s when the interval is not a finite number (no hot loop)', async () => {
    jest.useFakeTimers(FAKE_TIMERS)
    const scripted = scriptedFetch([{ status: 200 }])
    startPoller({ getFetch: () => scripted.fetch as never, pollingIntervalMs: Number.NaN })
    await advance(29_000)
    expect(scripted.calls()).toBe(1)
    await advance(1000)
    expect(scripted.calls()).toBe(2)
  })

  it('joins a reload to the load in flight instead of sending a second request', async () => {
    const api = mockDefinitions(200, apiBody(), 5)
    const { poller } = startPoller()
    await Promise.all([poller.reload(), poller.reload(), poller.ensureLoaded()])
    expect(api.calls()).toBe(1)
  })

  it('forces a request on reload once loaded', async () => {
    const api = mockDefinitions(200, apiBody(), 5)
    const { poller } = startPoller()
    await poller.ensureLoaded()
    await poller.reload()
    expect(api.calls()).toBe(2)
  })

  it('enforces the request timeout, so the first evaluation cannot hang on a stalled connection', async () => {
    const { poller, messages } = startPoller({ getFetch: () => never as never, requestTimeoutMs: 30 })
    await poller.ensureLoaded()
    expect(poller.hasLoaded).toBe(false)
    expect(messages()).toEqual([
      'Failed to load feature flag definitions from the API: no complete response within 30ms (requestTimeout); ' +
        'local evaluation is not ready yet',
    ])
  })
})

describe('failures', () => {
  it.each([
    [401, /^Feature flag definitions request refused \(401\): the project API key or the personal API key is invalid/],
    [403, /^Feature flag definitions request refused \(403\): the personal API key may not read/],
    [429, /^Feature flag definitions request rate limited \(429\)/],
  ])('reports %i as a ClientError naming the doubled interval, and waits that long', async (status, text) => {
    jest.useFakeTimers(FAKE_TIMERS)
    const scripted = scriptedFetch([{ status }])
    const { errors } = startPoller({ getFetch: () => scripted.fetch as never, pollingIntervalMs: 1000 })
    await advance(0)
    expect(errors[0]).toBeInstanceOf(ClientError)
    expect(errors[0].name).toBe('ClientError')
    expect(errors[0].message).toMatch(text)
    expect(errors[0].message).toContain('Next polling interval: 2000ms.')
    await advance(1999)
    expect(scripted.calls()).toBe(1)
    await advance(1)
    expect(scripted.calls()).toBe(2)
    expect(errors[1].message).toContain('Next polling interval: 4000ms.')
  })

  it('returns to the normal interval after a successful load', async () => {
    jest.useFakeTimers(FAKE_TIMERS)
    const scripted = scriptedFetch([{ status: 429 }, { status: 200 }])
    startPoller({ getFetch: () => scripted.fetch as never, pollingIntervalMs: 1000 })
    await advance(2000)
    expect(scripted.calls()).toBe(2)
    await advance(1000)
    expect(scripted.calls()).toBe(3)
  })

  it('does not request again for each evaluation while the first load keeps failing (no storm)', async () => {
    jest.useFakeTimers(FAKE_TIMERS)
    const scripted = scriptedFetch([{ status: 401 }])
    const { poller } = startPoller({ getFetch: () => scripted.fetch as never, pollingIntervalMs: 1000 })
    await poller.ensureLoaded()
    for (let i = 0; i < 10; i++) await poller.ensureLoaded()
    expect(scripted.calls()).toBe(1)
  })

  it('lets an evaluation start a load once the interval has passed since the last attempt', async () => {
    const scripted = scriptedFetch([{ status: 500 }])
    const { poller } = startPoller({ getFetch: () => scripted.fetch as never, pollingIntervalMs: 100 })
    await poller.ensureLoaded()
    await new Promise((resolve) => setTimeout(resolve, 120))
    await poller.ensureLoaded()
    expect(scripted.calls()).toBeGreaterThanOrEqual(2)
  })

  it('on 402 warns with upstream text, clears the flags, stays loaded, and reports no error', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined)
    mockDefinitions(200)
    mockDefinitions(402, {})
    const { poller, errors, loads } = startPoller()
    await poller.ensureLoaded()
    await poller.reload()
    expect(warn).toHaveBeenCalledWith(QUOTA_LIMITED_WARNING)
    expect(QUOTA_LIMITED_WARNING).toBe(
      '[FEATURE FLAGS] Feature flags quota limit exceeded - unsetting all local flags. Learn more about billing limits at https://posthog.com/docs/billing/limits-alerts'
    )
    expect(poller.definitions?.flagCount).toBe(0)
    expect(poller.hasLoaded).toBe(true)
    expect(poller.getStats().flagCount).toBe(0)
    expect(loads).toEqual([1])
    expect(errors).toEqual([])
  })

  it.each([
    ['a server error', 500, apiBody(), 'unexpected HTTP status 500'],
    ['a body without flags', 200, { detail: 'x' }, 'response body has no flags field'],
    ['flags that are not an array', 200, { flags: { a: 1 } }, 'flags is an object, expected an array'],
  ])('keeps the last good definitions after %s and reports why', async (_, status, body, reason) => {
    mockDefinitions(200)
    mockDefinitions(status, body)
    const { poller, messages } = startPoller()
    await poller.ensureLoaded()
    const before = poller.definitions
    await poller.reload()
    expect(poller.definitions).toBe(before)
    expect(messages()).toEqual([
      `Failed to load feature flag definitions from the API: invalid response: ${reason}; keeping the definitions already loaded`.replace(
        'invalid response: unexpected HTTP status 500',
        'unexpected HTTP status 500'
      ),
    ])
    expect(poller.getStats()).toMatchObject({ apiFetches: 2, apiFetchFailures: 1, flagCount: 1 })
  })

  it('reports a network error instead of swallowing it', async () => {
    nock('http://example.com')
      .get(/local_evaluation/)
      .replyWithError('ECONNRESET')
    const { poller, messages } = startPoller()
    await poller.ensureLoaded()
    expect(messages()[0]).toMatch(
      /^Failed to load feature flag definitions from the API: the request failed: .*ECONNRESET/
    )
  })

  it('survives listeners that throw', async () => {
    mockDefinitions()
    const errors: Error[] = []
    const { poller } = startPoller({
      onLoad: () => {
        throw new Error('listener bug')
      },
      onError: (error) => {
        errors.push(error)
        throw new Error('error listener bug')
      },
    })
    await poller.ensureLoaded()
    expect(poller.hasLoaded).toBe(true)
    expect(errors.map((e) => e.message)).toEqual(['A localEvaluationFlagsLoaded listener threw: Error: listener bug'])
  })
})

describe('stopping', () => {
  it('is final: no tick, reload or evaluation sends a request afterwards', async () => {
    jest.useFakeTimers(FAKE_TIMERS)
    const scripted = scriptedFetch([{ status: 401 }])
    const { poller } = startPoller({ getFetch: () => scripted.fetch as never, pollingIntervalMs: 100 })
    await advance(0)
    await poller.stop(1000)
    await poller.reload()
    await poller.ensureLoaded()
    await advance(10_000)
    expect(scripted.calls()).toBe(1)
  })

  it('sends the first request inside the constructor, as upstream does', () => {
    const scripted = scriptedFetch([{ status: 200 }])
    startPoller({ getFetch: () => scripted.fetch as never })
    expect(scripted.calls()).toBe(1)
  })

  it('publishes nothing when stopped right after construction', async () => {
    const scripted = scriptedFetch([{ status: 200 }, { status: 200 }])
    const { poller, loads } = startPoller({ getFetch: () => scripted.fetch as never })
    await poller.stop(1000)
    await flushAsync()
    expect(scripted.calls()).toBe(1)
    expect(poller.definitions).toBeUndefined()
    expect(loads).toEqual([])
  })

  it('aborts the request in flight and resolves at once, reporting nothing', async () => {
    let signal: AbortSignal | undefined
    const fetch = (_: string, options: { signal: AbortSignal }) => {
      signal = options.signal
      return new Promise((_, reject) => options.signal.addEventListener('abort', () => reject(new Error('aborted'))))
    }
    const { poller, errors } = startPoller({ getFetch: () => fetch as never, requestTimeoutMs: 60_000 })
    await until(() => signal !== undefined, 'the request')
    await poller.stop(1000)
    await flushAsync()
    expect(signal?.aborted).toBe(true)
    expect(errors).toEqual([])
  })

  it('is idempotent', async () => {
    mockDefinitions()
    const { poller } = startPoller()
    await poller.ensureLoaded()
    const first = poller.stop(100)
    expect(poller.stop(100)).toBe(first)
    await first
  })

  it('keeps the loaded definitions readable after stopping', async () => {
    mockDefinitions()
    const { poller } = startPoller()
    await poller.ensureLoaded()
    await poller.stop(100)
    expect(poller.definitions?.flagCount).toBe(1)
  })

  it('holds the event loop with its timers only while a caller waits', async () => {
    const created: Array<{ hasRef?: () => boolean }> = []
    const original = global.setTimeout
    jest.spyOn(global, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      const handle = original(fn, ms)
      created.push(handle)
      return handle
    }) as typeof setTimeout)
    mockDefinitions(200, apiBody(), 2)
    const { poller } = startPoller()
    const whileWaiting: boolean[] = []
    await poller.ensureLoaded()
    const reloaded = poller.reload()
    whileWaiting.push(...created.map((handle) => handle.hasRef?.() === true))
    await reloaded
    expect(created.length).toBeGreaterThanOrEqual(3) // two request deadlines and the next tick
    expect(whileWaiting.at(-1)).toBe(true) // the reload's request deadline
    expect(created.every((handle) => handle.hasRef?.() === false)).toBe(true)
  })
})

describe('stats', () => {
  it('hands out a snapshot that callers cannot alter', async () => {
    mockDefinitions()
    const { poller } = startPoller()
    await poller.ensureLoaded()
    const stats = poller.getStats()
    stats.apiFetches = 99
    expect(poller.getStats().apiFetches).toBe(1)
    expect(stats.lastLoadedAt).toEqual(expect.any(Number))
  })
})
