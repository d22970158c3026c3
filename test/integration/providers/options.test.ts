// Option handling shared by all shipped providers (exercised through the file provider: no server needed).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FileFlagDefinitionCache } from '../../../src/experimental'
import { resolveSharedOptions } from '../../../src/experimental/lease/options'
import { sampleDefinitions } from './fixtures'

describe('provider options', () => {
  const directory = mkdtempSync(join(tmpdir(), 'posthog-provider-options-'))
  afterAll(() => rmSync(directory, { recursive: true, force: true }))

  it('defaults maxAgeMs to 30 s, leaseMs to 10 s, timeoutMs to 2 s', () => {
    expect(resolveSharedOptions('P', { key: 'k' })).toMatchObject({
      maxAgeMs: 30_000,
      leaseMs: 10_000,
      timeoutMs: 2_000,
    })
  })

  it('never lets the default lease outlast maxAgeMs', () => {
    expect(resolveSharedOptions('P', { key: 'k', maxAgeMs: 500 }).leaseMs).toBe(500)
  })

  it.each([
    ['no options', undefined, /options with a `key` are required/],
    ['an empty key', { key: '' }, /options.key must be a non-empty string/],
    ['a personal API key as the key', { key: 'phx_abc' }, /looks like a personal API key/],
    ['a zero maxAgeMs', { key: 'k', maxAgeMs: 0 }, /options.maxAgeMs must be a positive number/],
    ['a leaseMs beyond what a timer can wait', { key: 'k', leaseMs: 2 ** 31 }, /options.leaseMs must be a positive/],
    ['a NaN leaseMs', { key: 'k', leaseMs: NaN }, /options.leaseMs must be a positive number/],
    ['a string timeoutMs', { key: 'k', timeoutMs: '100' }, /options.timeoutMs must be a positive number/],
    ['a logger without warn', { key: 'k', logger: {} }, /options.logger must have a warn/],
  ])('rejects %s with a message naming the option', (_label, options, message) => {
    expect(() => new FileFlagDefinitionCache(options as never)).toThrow(message)
  })

  it('reports a run of identical problems once, and again after a success', async () => {
    const warnings: string[] = []
    const refused = join(directory, 'not-a-directory')
    writeFileSync(refused, 'x')
    const provider = new FileFlagDefinitionCache({
      key: 'k',
      directory: refused,
      logger: { warn: (m) => warnings.push(m) },
    })
    await provider.getFlagDefinitions()
    await provider.getFlagDefinitions()
    await provider.getFlagDefinitions()
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/^\[PostHog FileFlagDefinitionCache\] could not read the stored definitions/)
    expect(provider.getStats().errors).toBe(3)
  })

  it('survives a logger that throws', async () => {
    const provider = new FileFlagDefinitionCache({
      key: 'k',
      directory: join(directory, 'throwing-logger'),
      logger: {
        warn: () => {
          throw new Error('logger down')
        },
      },
    })
    await expect(provider.onFlagDefinitionsReceived({ flags: 3 } as never)).resolves.toBeUndefined()
    await provider.onFlagDefinitionsReceived(sampleDefinitions())
    expect(await provider.getFlagDefinitions()).toEqual(sampleDefinitions())
  })

  it('routes routine events to logger.debug when it has one', async () => {
    const debug: string[] = []
    const provider = new FileFlagDefinitionCache({
      key: 'k',
      directory: join(directory, 'debug'),
      logger: { warn: () => undefined, debug: (m) => debug.push(m) },
    })
    expect(await provider.shouldFetchFlagDefinitions()).toBe(true)
    await provider.onFlagDefinitionsReceived(sampleDefinitions())
    expect(debug).toEqual([
      '[PostHog FileFlagDefinitionCache] took the fetch lease',
      '[PostHog FileFlagDefinitionCache] wrote 1 flag definitions to the store',
    ])
  })
})
