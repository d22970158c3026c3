// The behaviour every shipped provider must have, run against each real store by its own test file.
import {
  FLAG_DEFINITIONS_SCHEMA_VERSION,
  type FlagDefinitionCacheData,
  type FlagDefinitionCacheProvider,
  type FlagDefinitionCacheProviderStats,
  type SharedFlagDefinitionCacheOptions,
} from '../../../src/experimental'
import { RecordingLogger, sampleDefinitions, sleep, uniqueName } from './fixtures'

/** What every shipped provider is: the provider interface plus counters. */
export type SharedFlagDefinitionCache = FlagDefinitionCacheProvider & {
  shouldFetchFlagDefinitions(): Promise<boolean>
  getFlagDefinitions(): Promise<FlagDefinitionCacheData | undefined>
  getStats(): FlagDefinitionCacheProviderStats
}

export interface ProviderHarness {
  /** A provider on the real store. `key` is unique per test unless given. */
  make(options: Partial<SharedFlagDefinitionCacheOptions> & { key: string }): SharedFlagDefinitionCache
  /**
   * Writes `payload` straight into the store as the entry of `key`, stamped as written just now (as an attacker or
   * a buggy program with write access to the store could).
   */
  writeRawEntry(key: string, payload: string): Promise<void>
}

export function providerContract(harness: () => ProviderHarness): void {
  let key: string
  let logger: RecordingLogger
  // A generous timeout: these tests are about coordination, and a loaded machine must not turn them into fallbacks.
  const make = (options: Partial<SharedFlagDefinitionCacheOptions> = {}) =>
    harness().make({ key, logger, timeoutMs: 10_000, ...options })

  beforeEach(() => {
    key = uniqueName('contract')
    logger = new RecordingLogger()
  })

  it('round-trips definitions: what one process stores, another reads', async () => {
    const writer = make()
    const reader = make()
    expect(await writer.shouldFetchFlagDefinitions()).toBe(true)
    await writer.onFlagDefinitionsReceived(sampleDefinitions('x'))
    expect(await reader.getFlagDefinitions()).toEqual(sampleDefinitions('x'))
    expect(reader.getStats().hits).toBe(1)
  })

  it('reads nothing (a plain miss, no warning) before anything is stored', async () => {
    expect(await make().getFlagDefinitions()).toBeUndefined()
    expect(logger.warnings).toEqual([])
  })

  it('says no fetch while the stored definitions are younger than maxAgeMs', async () => {
    const writer = make()
    expect(await writer.shouldFetchFlagDefinitions()).toBe(true)
    await writer.onFlagDefinitionsReceived(sampleDefinitions())
    const others = [make(), make(), make()]
    expect(await Promise.all(others.map((p) => p.shouldFetchFlagDefinitions()))).toEqual([false, false, false])
    expect(others[0].getStats().fresh).toBe(1)
  })

  it('gives exactly one of 50 concurrent callers the lease when nothing is stored', async () => {
    const callers = Array.from({ length: 50 }, () => make())
    const answers = await Promise.all(callers.map((p) => p.shouldFetchFlagDefinitions()))
    expect(answers.filter(Boolean)).toHaveLength(1)
    expect(logger.warnings).toEqual([])
  })

  it('gives exactly one of 50 concurrent callers the lease when the stored definitions are stale', async () => {
    const writer = make({ maxAgeMs: 100 })
    await writer.shouldFetchFlagDefinitions()
    await writer.onFlagDefinitionsReceived(sampleDefinitions())
    await sleep(250)
    const callers = Array.from({ length: 50 }, () => make({ maxAgeMs: 100, leaseMs: 10_000 }))
    const answers = await Promise.all(callers.map((p) => p.shouldFetchFlagDefinitions()))
    expect(answers.filter(Boolean)).toHaveLength(1)
    expect(callers.reduce((n, p) => n + p.getStats().busy, 0)).toBe(49)
  })

  it('answers false to the lease holder itself while it holds the lease (one lease, one fetch)', async () => {
    const holder = make()
    expect(await holder.shouldFetchFlagDefinitions()).toBe(true)
    expect(await holder.shouldFetchFlagDefinitions()).toBe(false)
    expect(await make().shouldFetchFlagDefinitions()).toBe(false)
  })

  it('lets another caller take over once the holder lets its lease lapse (its fetch failed or it died)', async () => {
    const holder = make({ leaseMs: 150 })
    expect(await holder.shouldFetchFlagDefinitions()).toBe(true)
    const other = make({ leaseMs: 150 })
    expect(await other.shouldFetchFlagDefinitions()).toBe(false)
    await sleep(300)
    expect(await other.shouldFetchFlagDefinitions()).toBe(true)
  })

  it("never releases another owner's lease: a late holder stores but leaves the new holder's lease alone", async () => {
    const late = make({ maxAgeMs: 1, leaseMs: 150 })
    expect(await late.shouldFetchFlagDefinitions()).toBe(true)
    await sleep(300)
    const current = make({ maxAgeMs: 1, leaseMs: 10_000 })
    expect(await current.shouldFetchFlagDefinitions()).toBe(true)

    await late.onFlagDefinitionsReceived(sampleDefinitions('late'))
    await late.shutdown()
    await sleep(5) // maxAgeMs 1: the definitions are stale again, only the lease can say no now
    const observer = make({ maxAgeMs: 1 })
    expect(await observer.shouldFetchFlagDefinitions()).toBe(false)
    expect(observer.getStats().busy).toBe(1)
    expect(await observer.getFlagDefinitions()).toEqual(sampleDefinitions('late'))

    await current.shutdown()
    expect(await observer.shouldFetchFlagDefinitions()).toBe(true)
  })

  it('releases its lease after storing, so the next stale check can fetch at once', async () => {
    const holder = make({ maxAgeMs: 1 })
    expect(await holder.shouldFetchFlagDefinitions()).toBe(true)
    await holder.onFlagDefinitionsReceived(sampleDefinitions())
    await sleep(5)
    expect(await make({ maxAgeMs: 1 }).shouldFetchFlagDefinitions()).toBe(true)
  })

  it('releases its lease on shutdown', async () => {
    const holder = make()
    expect(await holder.shouldFetchFlagDefinitions()).toBe(true)
    await holder.shutdown()
    expect(await make().shouldFetchFlagDefinitions()).toBe(true)
  })

  it('keeps stale definitions readable after maxAgeMs (stale beats none)', async () => {
    const writer = make({ maxAgeMs: 50 })
    await writer.shouldFetchFlagDefinitions()
    await writer.onFlagDefinitionsReceived(sampleDefinitions())
    await sleep(150)
    const reader = make({ maxAgeMs: 50 })
    expect(await reader.shouldFetchFlagDefinitions()).toBe(true)
    expect(await reader.getFlagDefinitions()).toEqual(sampleDefinitions())
  })

  it('keeps two keys apart: neither sees the other’s definitions or lease', async () => {
    const first = make()
    const second = harness().make({ key: `${key}-other`, logger, timeoutMs: 10_000 })
    expect(await first.shouldFetchFlagDefinitions()).toBe(true)
    expect(await second.shouldFetchFlagDefinitions()).toBe(true)
    await first.onFlagDefinitionsReceived(sampleDefinitions('first'))
    expect(await second.getFlagDefinitions()).toBeUndefined()
    await second.onFlagDefinitionsReceived(sampleDefinitions('second'))
    expect(await make().getFlagDefinitions()).toEqual(sampleDefinitions('first'))
  })

  it('treats an entry of another schema version as a miss, says why, and refetches', async () => {
    await harness().writeRawEntry(key, `phfd/99 json -\n${JSON.stringify(sampleDefinitions())}`)
    const provider = make()
    expect(await provider.getFlagDefinitions()).toBeUndefined()
    expect(provider.getStats().invalid).toBe(1)
    expect(logger.warnings.join('\n')).toMatch(/schema version/)
    expect(await provider.shouldFetchFlagDefinitions()).toBe(true)
  })

  it.each([
    ['text that is not JSON', '{"flags": [', /not valid JSON/],
    ['JSON of the wrong shape', '{"flags": 3, "groupTypeMapping": {}, "cohorts": {}}', /flags is a number/],
    ['a flag without a key', '{"flags": [{"filters": null}], "groupTypeMapping": {}, "cohorts": {}}', /key/],
  ])('treats %s as a miss and logs the reason', async (_label, text, reason) => {
    await harness().writeRawEntry(key, `phfd/${FLAG_DEFINITIONS_SCHEMA_VERSION} json -\n${text}`)
    const provider = make()
    expect(await provider.getFlagDefinitions()).toBeUndefined()
    expect(logger.warnings.join('\n')).toMatch(reason)
  })

  it('refuses to store invalid definitions and still releases its lease', async () => {
    const holder = make()
    expect(await holder.shouldFetchFlagDefinitions()).toBe(true)
    await holder.onFlagDefinitionsReceived({ flags: 'nope' } as unknown as FlagDefinitionCacheData)
    expect(logger.warnings.join('\n')).toMatch(/not storing definitions/)
    expect(await make().getFlagDefinitions()).toBeUndefined()
    expect(await make().shouldFetchFlagDefinitions()).toBe(true)
  })

  it('stores definitions even without a lease (a process that fell back to fetching for itself)', async () => {
    const provider = make()
    await provider.onFlagDefinitionsReceived(sampleDefinitions('fallback'))
    expect(await make().getFlagDefinitions()).toEqual(sampleDefinitions('fallback'))
  })

  it('without a lease, never replaces a fresh entry (a late write loses to the current copy)', async () => {
    await make().onFlagDefinitionsReceived(sampleDefinitions('current'))
    await make().onFlagDefinitionsReceived(sampleDefinitions('late'))
    expect(await make().getFlagDefinitions()).toEqual(sampleDefinitions('current'))
  })

  it('a holder whose lease lapsed and was taken over does not replace the new holder’s fresh copy', async () => {
    const late = make({ leaseMs: 100 })
    expect(await late.shouldFetchFlagDefinitions()).toBe(true)
    await sleep(250)
    const current = make({ leaseMs: 10_000 })
    expect(await current.shouldFetchFlagDefinitions()).toBe(true)
    await current.onFlagDefinitionsReceived(sampleDefinitions('current'))
    await late.onFlagDefinitionsReceived(sampleDefinitions('late'))
    expect(await make().getFlagDefinitions()).toEqual(sampleDefinitions('current'))
  })
}

/** A provider whose store cannot be reached must answer "fetch yourself" and "no definitions", quickly, never throwing. */
export function failFastContract(
  name: string,
  makeUnreachable: (logger: RecordingLogger) => SharedFlagDefinitionCache
): void {
  it(`${name}: falls back within its timeout and never throws`, async () => {
    const logger = new RecordingLogger()
    const provider = makeUnreachable(logger)
    const started = Date.now()
    expect(await provider.shouldFetchFlagDefinitions()).toBe(true)
    expect(await provider.getFlagDefinitions()).toBeUndefined()
    await expect(provider.onFlagDefinitionsReceived(sampleDefinitions())).resolves.toBeUndefined()
    await expect(provider.shutdown()).resolves.toBeUndefined()
    // Three store calls, each bounded by timeoutMs (300 ms); the margin only absorbs scheduling noise.
    expect(Date.now() - started).toBeLessThan(3 * 300 + 1500)
    expect(provider.getStats().errors).toBeGreaterThanOrEqual(3)
    expect(logger.warnings.length).toBeGreaterThan(0)
    expect(logger.warnings[0]).toMatch(/fetches from the API itself/)
  })
}
