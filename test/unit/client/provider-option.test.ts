// The flagDefinitionCacheProvider option as the client checks it at construction, and how a failing provider shows
// up in the logs when nobody listens to the client's 'error' event.
import nock from 'nock'
import { PostHog, type PostHogOptions } from '../../../src/entrypoints/index.node'
import { RedisFlagDefinitionCache } from '../../../src/experimental'
import type { FlagDefinitionCacheProvider } from '../../../src/experimental'

const HOST = 'http://provider-option.posthog.test'
const definitions = {
  flags: [{ id: 1, key: 'on', active: true, filters: { groups: [{ properties: [], rollout_percentage: 100 }] } }],
  group_type_mapping: {},
  cohorts: {},
}

const clients: PostHog[] = []
function client(options: PostHogOptions): PostHog {
  const created = new PostHog('TEST_API_KEY', { host: HOST, personalApiKey: 'phx_x', fetchRetryCount: 0, ...options })
  clients.push(created)
  return created
}
let warn: jest.SpyInstance
beforeAll(() => nock.disableNetConnect())
afterAll(() => nock.enableNetConnect())
beforeEach(() => {
  nock(HOST).persist().get('/api/feature_flag/local_evaluation').query(true).reply(200, definitions)
  warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined)
})
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.shutdown(200).catch(() => undefined)))
  jest.restoreAllMocks()
  nock.cleanAll()
})

const warnings = (): string[] => warn.mock.calls.map((call) => String(call[0]))

const provider = (overrides: Partial<Record<keyof FlagDefinitionCacheProvider | 'maxAgeMs', unknown>> = {}) =>
  ({
    getFlagDefinitions: () => undefined,
    shouldFetchFlagDefinitions: () => true,
    onFlagDefinitionsReceived: () => undefined,
    shutdown: () => undefined,
    ...overrides,
  }) as FlagDefinitionCacheProvider

describe('a wrong value fails at construction', () => {
  it('a provider class passed without `new` names the class and shows the fix', () => {
    expect(() => client({ flagDefinitionCacheProvider: RedisFlagDefinitionCache as never })).toThrow(
      /flagDefinitionCacheProvider must be a provider object, got the class or function RedisFlagDefinitionCache itself: pass an instance, e\.g\. flagDefinitionCacheProvider: new RedisFlagDefinitionCache\(/
    )
  })

  it('a factory function passed uncalled fails the same way', () => {
    const makeCache = () => provider()
    expect(() => client({ flagDefinitionCacheProvider: makeCache as never })).toThrow(/function makeCache itself/)
  })

  it.each([true, 'redis', 42])('%p names the four methods a provider has', (value) => {
    expect(() => client({ flagDefinitionCacheProvider: value as never })).toThrow(
      /must be an object with the methods getFlagDefinitions, shouldFetchFlagDefinitions, onFlagDefinitionsReceived, shutdown/
    )
  })

  it.each([null, false, 0])('%p means no provider, as upstream reads it', async (value) => {
    const posthog = client({ flagDefinitionCacheProvider: value as never })
    expect(await posthog.getFeatureFlag('on', 'u', { onlyEvaluateLocally: true })).toBe(true)
    expect(posthog.getFlagDefinitionsStats()).toMatchObject({ apiFetches: 1, cacheMisses: 0 })
    expect(warnings()).toEqual([])
  })

  it('even with local evaluation off, where the provider would only be ignored', () => {
    expect(() =>
      client({ personalApiKey: undefined, flagDefinitionCacheProvider: RedisFlagDefinitionCache as never })
    ).toThrow(TypeError)
  })
})

describe('warnings at construction', () => {
  it('an object missing methods is accepted with a warning naming them', () => {
    const partial = { getFlagDefinitions: () => undefined, shouldFetchFlagDefinitions: () => true }
    client({ flagDefinitionCacheProvider: partial as never })
    expect(warnings()).toEqual([
      expect.stringMatching(/flagDefinitionCacheProvider is missing onFlagDefinitionsReceived, shutdown/),
    ])
  })

  it('a maxAgeMs longer than the polling interval: once, saying how late flag changes arrive', () => {
    client({ featureFlagsPollingInterval: 10_000, flagDefinitionCacheProvider: provider({ maxAgeMs: 60_000 }) })
    expect(warnings()).toEqual([
      '[PostHog] flagDefinitionCacheProvider.maxAgeMs (60000 ms) is longer than featureFlagsPollingInterval ' +
        '(10000 ms): the shared definitions are refreshed only every 60000 ms, so a flag change can take up to ' +
        '60000 ms instead of 10000 ms to reach this process. Set maxAgeMs equal to featureFlagsPollingInterval.',
    ])
  })

  it.each([
    ['equal to the interval', 30_000],
    ['shorter than the interval', 5_000],
    ['not a number', '60000'],
  ])('no warning for a maxAgeMs %s', (_, maxAgeMs) => {
    client({ featureFlagsPollingInterval: 30_000, flagDefinitionCacheProvider: provider({ maxAgeMs }) })
    expect(warnings()).toEqual([])
  })
})

describe('a failing provider is logged even when nobody listens to "error"', () => {
  it('a provider that throws on every call: one console.warn per kind of failure', async () => {
    const throwing = provider({
      getFlagDefinitions: () => {
        throw new Error('read exploded')
      },
      shouldFetchFlagDefinitions: () => Promise.reject(new Error('lock exploded')),
      onFlagDefinitionsReceived: () => Promise.reject(new Error('write exploded')),
      shutdown: () => {
        throw new Error('shutdown exploded')
      },
    })
    const posthog = client({ flagDefinitionCacheProvider: throwing, featureFlagsPollingInterval: 100 })
    expect(await posthog.getFeatureFlag('on', 'u', { onlyEvaluateLocally: true })).toBe(true)
    for (let i = 0; i < 3; i++) await posthog.reloadFeatureFlags()
    await posthog.shutdown(500)
    expect(warnings()).toEqual([
      expect.stringMatching(/^\[PostHog\] Failed to load from cache: Error: read exploded/),
      expect.stringMatching(/^\[PostHog\] Error in shouldFetchFlagDefinitions: Error: lock exploded/),
      expect.stringMatching(/^\[PostHog\] Failed to store in cache: Error: write exploded/),
      expect.stringMatching(/^\[PostHog\] Error during cache shutdown: Error: shutdown exploded/),
    ])
  })

  it('three messages alternating within one kind of failure are logged once', async () => {
    let call = 0
    const texts = ['ECONNRESET', 'socket hang up', 'ETIMEDOUT']
    const flaky = provider({
      getFlagDefinitions: () => {
        throw new Error(texts[call++ % texts.length])
      },
      shouldFetchFlagDefinitions: () => false,
    })
    const posthog = client({ flagDefinitionCacheProvider: flaky })
    for (let i = 0; i < 6; i++) await posthog.reloadFeatureFlags()
    expect(call).toBeGreaterThanOrEqual(6)
    expect(warnings().filter((m) => m.includes('Failed to load from cache'))).toEqual([
      expect.stringContaining('Error: ECONNRESET'),
    ])
  })

  it('every failure still reaches an "error" listener', async () => {
    const errors: string[] = []
    const posthog = client({
      flagDefinitionCacheProvider: provider({
        getFlagDefinitions: () => {
          throw new Error('down')
        },
        shouldFetchFlagDefinitions: () => false,
      }),
    })
    posthog.on('error', (error: Error) => errors.push(error.message))
    for (let i = 0; i < 3; i++) await posthog.reloadFeatureFlags()
    expect(errors.filter((m) => m === 'Failed to load from cache: Error: down').length).toBeGreaterThanOrEqual(4)
    expect(warnings().filter((m) => m.includes('Failed to load from cache'))).toHaveLength(1)
  })
})
