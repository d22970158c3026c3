// The lease policy's own rules, checked against a store in memory: no Redis or PostgreSQL needed.
import {
  FlagDefinitionsCodec,
  LeasedFlagDefinitionCache,
  type FlagDefinitionCacheData,
  type SharedFlagDefinitionCacheOptions,
} from '../../../src/experimental'
import { RecordingLogger, sampleDefinitions, sleep } from '../../integration/providers/fixtures'
import { MemoryLeaseStore, never } from './memory-store'

describe('LeasedFlagDefinitionCache (policy over an in-memory store)', () => {
  let store: MemoryLeaseStore
  let logger: RecordingLogger
  const make = (options: Partial<SharedFlagDefinitionCacheOptions> = {}, onStore = store) =>
    new LeasedFlagDefinitionCache(onStore, { key: 'k', logger, ...options }, 'TestCache')

  beforeEach(() => {
    store = new MemoryLeaseStore()
    logger = new RecordingLogger()
  })

  describe('timeouts', () => {
    it('answers "fetch" within timeoutMs when taking the lease hangs, and counts a timeout', async () => {
      store.before.tryTakeLease = never
      const cache = make({ timeoutMs: 50 })
      const started = Date.now()
      expect(await cache.shouldFetchFlagDefinitions()).toBe(true)
      expect(Date.now() - started).toBeLessThan(1000)
      expect(cache.getStats()).toMatchObject({ errors: 1, timeouts: 1 })
      expect(logger.warnings[0]).toMatch(/fetches from the API itself.*did not finish within 50 ms/)
    })

    it('answers "no definitions" within timeoutMs when reading hangs', async () => {
      store.before.readEntry = never
      const cache = make({ timeoutMs: 50 })
      expect(await cache.getFlagDefinitions()).toBeUndefined()
      expect(cache.getStats().timeouts).toBe(1)
    })

    it('returns from a write and a shutdown that hang, and never throws', async () => {
      const cache = make({ timeoutMs: 50 })
      expect(await cache.shouldFetchFlagDefinitions()).toBe(true)
      store.before.writeEntry = never
      store.before.releaseLease = never
      await expect(cache.onFlagDefinitionsReceived(sampleDefinitions())).resolves.toBeUndefined()
      await expect(cache.shutdown()).resolves.toBeUndefined()
      expect(cache.getStats()).toMatchObject({ timeouts: 2, writes: 0 })
    })

    it('treats a store method that throws synchronously like one that rejects', async () => {
      const throwing = new MemoryLeaseStore()
      throwing.tryTakeLease = () => {
        throw new Error('sync boom')
      }
      const cache = make({}, throwing)
      expect(await cache.shouldFetchFlagDefinitions()).toBe(true)
      expect(logger.warnings[0]).toMatch(/sync boom/)
    })
  })

  it('gives back a lease that a timed-out attempt took late, so nobody is told "busy" by a lease nobody holds', async () => {
    store.before.tryTakeLease = () => sleep(150)
    const cache = make({ timeoutMs: 50, leaseMs: 10_000 })
    expect(await cache.shouldFetchFlagDefinitions()).toBe(true)
    await sleep(300)
    expect(store.lease).toBeUndefined()
    const [token] = store.callsOf('tryTakeLease')[0]!
    expect(store.callsOf('releaseLease')).toEqual([[token]])
  })

  it('does not give back a late attempt that found the entry fresh or the lease busy', async () => {
    store.lease = { token: 'someone-else', expiresAt: Date.now() + 10_000 }
    store.before.tryTakeLease = () => sleep(150)
    expect(await make({ timeoutMs: 50 }).shouldFetchFlagDefinitions()).toBe(true)
    await sleep(300)
    expect(store.callsOf('releaseLease')).toEqual([])
    expect(store.lease?.token).toBe('someone-else')
  })

  it('answers false to its own second ask while it holds the lease (one lease, one fetch)', async () => {
    const cache = make()
    expect(await cache.shouldFetchFlagDefinitions()).toBe(true)
    expect(await cache.shouldFetchFlagDefinitions()).toBe(false)
    expect(cache.getStats()).toMatchObject({ leasesTaken: 1, busy: 1 })
  })

  it('writes with the token of the lease it took, then holds none', async () => {
    const cache = make()
    await cache.shouldFetchFlagDefinitions()
    const [token] = store.callsOf('tryTakeLease')[0]!
    await cache.onFlagDefinitionsReceived(sampleDefinitions())
    expect(store.callsOf('writeEntry')[0]![1]).toBe(token)
    await cache.onFlagDefinitionsReceived(sampleDefinitions('again'))
    expect(store.callsOf('writeEntry')[1]![1]).toBeUndefined()
  })

  it('stores a usable ETag with the entry, and an ETag no request could carry not at all', async () => {
    const cache = make()
    await cache.onFlagDefinitionsReceived({ ...sampleDefinitions(), etag: '"v1"' })
    await cache.onFlagDefinitionsReceived({ ...sampleDefinitions(), etag: '"v2"\r\nX-Injected: 1' })
    await cache.onFlagDefinitionsReceived({ ...sampleDefinitions(), etag: 'x'.repeat(513) })
    expect(store.callsOf('writeEntry').map(([entry]) => (entry as { etag?: string }).etag)).toEqual([
      '"v1"',
      undefined,
      undefined,
    ])
  })

  describe('invalid writes', () => {
    it('never writes definitions that fail validation, and still gives its lease back', async () => {
      const cache = make()
      expect(await cache.shouldFetchFlagDefinitions()).toBe(true)
      await cache.onFlagDefinitionsReceived({ flags: 'nope' } as unknown as FlagDefinitionCacheData)
      expect(store.callsOf('writeEntry')).toEqual([])
      expect(store.lease).toBeUndefined()
      expect(logger.warnings.join('\n')).toMatch(/not writing definitions that fail validation/)
    })

    it('never writes definitions larger than maxEntryBytes (readers would refuse them), and gives its lease back', async () => {
      const cache = make({ maxEntryBytes: 100, compress: false })
      expect(await cache.shouldFetchFlagDefinitions()).toBe(true)
      await cache.onFlagDefinitionsReceived(sampleDefinitions())
      expect(store.callsOf('writeEntry')).toEqual([])
      expect(store.lease).toBeUndefined()
      expect(logger.warnings.join('\n')).toMatch(/more than maxEntryBytes \(100\); not writing them/)
    })
  })

  describe('late writes only fill a missing or stale entry', () => {
    it('a writer without a lease does not replace a fresh entry', async () => {
      await make().onFlagDefinitionsReceived(sampleDefinitions('current'))
      await make().onFlagDefinitionsReceived(sampleDefinitions('late'))
      expect(await make().getFlagDefinitions()).toEqual(sampleDefinitions('current'))
    })

    it('a writer without a lease fills a stale entry', async () => {
      await make({ maxAgeMs: 20 }).onFlagDefinitionsReceived(sampleDefinitions('old'))
      await sleep(40)
      await make({ maxAgeMs: 20 }).onFlagDefinitionsReceived(sampleDefinitions('new'))
      expect(await make().getFlagDefinitions()).toEqual(sampleDefinitions('new'))
    })

    it('a holder whose lease lapsed and passed to another does not replace the new holder’s copy', async () => {
      const late = make({ leaseMs: 20 })
      expect(await late.shouldFetchFlagDefinitions()).toBe(true)
      await sleep(40)
      const current = make({ leaseMs: 10_000 })
      expect(await current.shouldFetchFlagDefinitions()).toBe(true)
      await current.onFlagDefinitionsReceived(sampleDefinitions('current'))
      await late.onFlagDefinitionsReceived(sampleDefinitions('late'))
      expect(await make().getFlagDefinitions()).toEqual(sampleDefinitions('current'))
    })
  })

  describe('refused entries', () => {
    it('counts and logs a refused entry once, and makes the next lease attempt treat the entry as stale', async () => {
      store.entry = { payload: 'garbage', fetchedAt: Date.now() }
      const cache = make()
      expect(await cache.getFlagDefinitions()).toBeUndefined()
      expect(await cache.getFlagDefinitions()).toBeUndefined()
      expect(cache.getStats().invalid).toBe(2)
      expect(logger.warnings).toHaveLength(1)
      expect(logger.warnings[0]).toMatch(/ignoring the stored definitions for this key: stored entry has no header/)
      // The store calls the entry fresh; the policy asks it to ignore freshness, so a fetch replaces the entry.
      expect(await cache.shouldFetchFlagDefinitions()).toBe(true)
      expect(store.callsOf('tryTakeLease')[0]![1]).toEqual({ maxAgeMs: 0, leaseMs: 10_000 })
      await cache.onFlagDefinitionsReceived(sampleDefinitions('replacement'))
      expect(await make().getFlagDefinitions()).toEqual(sampleDefinitions('replacement'))
    })

    it('replaces a refused fresh entry even when it fetched without the lease', async () => {
      store.entry = { payload: 'garbage', fetchedAt: Date.now() }
      store.lease = { token: 'other', expiresAt: Date.now() + 10_000 }
      const cache = make()
      await cache.getFlagDefinitions()
      expect(await cache.shouldFetchFlagDefinitions()).toBe(false) // busy
      await cache.onFlagDefinitionsReceived(sampleDefinitions('fallback'))
      expect(await make().getFlagDefinitions()).toEqual(sampleDefinitions('fallback'))
    })

    it('goes back to the normal freshness rule after a valid read', async () => {
      store.entry = { payload: 'garbage', fetchedAt: Date.now() }
      const cache = make()
      await cache.getFlagDefinitions()
      store.entry = {
        payload: await new FlagDefinitionsCodec({ key: 'k' }).encode(sampleDefinitions()),
        fetchedAt: Date.now(),
      }
      expect(await cache.getFlagDefinitions()).toEqual(sampleDefinitions())
      expect(await cache.shouldFetchFlagDefinitions()).toBe(false)
      expect(store.callsOf('tryTakeLease')[0]![1]).toEqual({ maxAgeMs: 30_000, leaseMs: 10_000 })
    })

    it('counts what the store itself refused as invalid, with its reason', async () => {
      store.readEntry = async () => ({ refused: 'entry file belongs to uid 0' })
      const cache = make()
      expect(await cache.getFlagDefinitions()).toBeUndefined()
      expect(cache.getStats().invalid).toBe(1)
      expect(logger.warnings[0]).toMatch(/belongs to uid 0/)
    })
  })

  describe('warnings', () => {
    it('reports each kind of failure once, however the failures alternate', async () => {
      const cache = make()
      let round = 0
      // The details differ on every call too (as timeouts and connection errors do): the kind decides.
      store.before.tryTakeLease = () => Promise.reject(new Error(`lease down ${round}`))
      store.before.readEntry = () => Promise.reject(new Error(`read down ${round}`))
      store.before.writeEntry = () => Promise.reject(new Error(`write down ${round}`))
      for (; round < 5; round++) {
        await cache.shouldFetchFlagDefinitions()
        await cache.getFlagDefinitions()
        await cache.onFlagDefinitionsReceived(sampleDefinitions())
      }
      expect(logger.warnings).toHaveLength(3)
      expect(cache.getStats().errors).toBe(15)
    })

    it('reports a kind again once its operation has succeeded in between', async () => {
      const cache = make()
      store.before.readEntry = () => Promise.reject(new Error('read down'))
      await cache.getFlagDefinitions()
      delete store.before.readEntry
      await cache.getFlagDefinitions()
      store.before.readEntry = () => Promise.reject(new Error('read down'))
      await cache.getFlagDefinitions()
      expect(logger.warnings).toHaveLength(2)
    })

    it('warns at construction when the lease outlasts maxAgeMs, saying what it costs', () => {
      make({ maxAgeMs: 1000, leaseMs: 5000 })
      expect(logger.warnings).toEqual([
        expect.stringMatching(/leaseMs \(5000\) is longer than maxAgeMs \(1000\).*up to 5000 ms.*6000 ms old/),
      ])
    })

    it('does not warn about the defaults', () => {
      make()
      make({ maxAgeMs: 500 })
      expect(logger.warnings).toEqual([])
    })
  })

  it('treats an answer of tryTakeLease it does not know as a failure: this process fetches, holding no lease', async () => {
    store.tryTakeLease = async () => true as never
    const cache = make()
    expect(await cache.shouldFetchFlagDefinitions()).toBe(true)
    expect(cache.getStats()).toMatchObject({ errors: 1, leasesTaken: 0 })
    expect(logger.warnings[0]).toMatch(/tryTakeLease returned boolean, expected 'taken', 'fresh' or 'busy'/)
  })

  it('treats a read that is not { payload } or { refused } as an invalid entry, never throwing', async () => {
    store.readEntry = async () => 'raw text' as never
    const cache = make()
    expect(await cache.getFlagDefinitions()).toBeUndefined()
    expect(cache.getStats().invalid).toBe(1)
    expect(logger.warnings[0]).toMatch(/readEntry returned "raw text", expected \{ payload \}/)
  })

  it('refuses a store without the four operations, naming the missing ones', () => {
    const partial = { tryTakeLease: async () => 'taken', readEntry: async () => undefined }
    expect(() => make({}, partial as never)).toThrow(
      /the store must have the four lease operations .*missing writeEntry, releaseLease/
    )
  })

  it('exposes maxAgeMs and leaseMs as resolved', () => {
    expect(make({ maxAgeMs: 5000 })).toMatchObject({ maxAgeMs: 5000, leaseMs: 5000, timeoutMs: 2000 })
  })
})
