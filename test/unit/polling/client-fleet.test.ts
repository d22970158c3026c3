// N clients in one process sharing one provider whose shouldFetchFlagDefinitions is a lease: about one API call per
// polling interval for the whole fleet instead of one per client.
import type { FlagDefinitionCacheData, FlagDefinitionCacheProvider } from '../../../src/contracts/provider'
import { client, fixtureData, mockApi, shutdownAll } from './client-helpers'
import { FAKE_TIMERS, flushAsync } from './helpers'

const N = 10
const K = 10
const INTERVAL = 1000

/** An in-memory shared cache whose lease lasts one interval: the first caller per interval fetches. */
function leasedCache(
  initial?: FlagDefinitionCacheData
): FlagDefinitionCacheProvider & { fetchesGranted: () => number } {
  let stored = initial
  let leaseUntil = 0
  let granted = 0
  return {
    getFlagDefinitions: () => stored,
    shouldFetchFlagDefinitions: () => {
      const now = Date.now()
      if (now < leaseUntil) return false
      leaseUntil = now + INTERVAL
      granted += 1
      return true
    },
    onFlagDefinitionsReceived: (data) => {
      stored = data
    },
    shutdown: () => undefined,
    fetchesGranted: () => granted,
  }
}

async function runFleet(provider: () => FlagDefinitionCacheProvider | undefined) {
  const api = mockApi()
  for (let i = 0; i < N; i++) {
    client({ flagDefinitionCacheProvider: provider(), featureFlagsPollingInterval: INTERVAL })
  }
  await flushAsync(1000)
  const atStart = api.calls()
  for (let k = 0; k < K; k++) {
    await jest.advanceTimersByTimeAsync(INTERVAL)
    await flushAsync(1000)
  }
  if (process.env.FLEET_REPORT) console.log(`fleet: start=${atStart} over ${K} intervals=${api.calls() - atStart}`)
  return { atStart, overIntervals: api.calls() - atStart }
}

beforeEach(() => jest.useFakeTimers(FAKE_TIMERS))
afterEach(async () => {
  jest.useRealTimers()
  await shutdownAll()
})

// Fake time for the poller, real I/O for nock: on a loaded machine a fetch started in one window may be counted in
// the next, so the fleet is judged on its totals (and the start on never exceeding what it should).
describe(`${N} clients over ${K} intervals`, () => {
  it('without a provider: every client fetches at start and every interval', async () => {
    const { atStart, overIntervals } = await runFleet(() => undefined)
    expect(atStart).toBeLessThanOrEqual(N)
    expect(atStart + overIntervals).toBeGreaterThanOrEqual(N * K)
    expect(atStart + overIntervals).toBeLessThanOrEqual(N * (K + 1))
  })

  it('sharing a leased cache from cold: one fetch at start, then one per interval for the whole fleet', async () => {
    const cache = leasedCache()
    const { atStart, overIntervals } = await runFleet(() => cache)
    // At a cold start the others wait for the lease holder's copy instead of fetching for themselves.
    expect(atStart).toBeLessThanOrEqual(1)
    // One fetch per interval; the holder's phase decides whether the last interval's fetch falls inside the window.
    expect(atStart + overIntervals).toBeGreaterThanOrEqual(K)
    expect(atStart + overIntervals).toBeLessThanOrEqual(K + 1)
  })

  it('sharing a warm leased cache: no fetch at start, one per interval afterwards', async () => {
    const cache = leasedCache(fixtureData as unknown as FlagDefinitionCacheData)
    const { atStart, overIntervals } = await runFleet(() => cache)
    expect(atStart).toBe(0)
    expect(overIntervals).toBeGreaterThanOrEqual(K - 1)
    expect(overIntervals).toBeLessThanOrEqual(K)
  })
})
