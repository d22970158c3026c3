// Shared fixtures for the poller's specifications: the API is mocked with nock, providers are hand-made fakes.
import nock from 'nock'
import type { FlagDefinitionCacheData, FlagDefinitionCacheProvider } from '../../../src/contracts/provider'
import { DefinitionsPoller, type PollerOptions } from '../../../src/polling/poller'
import { apiDefinitions, cacheDefinitions, flagDefinition } from '../../helpers/definitions'

export const HOST = 'http://example.com'
export const PROJECT_KEY = 'TEST_API_KEY'
export const PERSONAL_KEY = 'TEST_PERSONAL_API_KEY'
export const DEFINITIONS_PATH = `/api/feature_flag/local_evaluation?token=${PROJECT_KEY}&send_cohorts`

export const flag = (key: string, extra: Record<string, unknown> = {}) => flagDefinition(key, undefined, extra)

/** The body the API serves (snake_case). */
export const apiBody = (keys: string[] = ['test-flag']) =>
  apiDefinitions(keys, { groupTypeMapping: { '0': 'company' } })

/** The same definitions as a provider stores them (camelCase). */
export const cacheData = (keys: string[] = ['test-flag']): FlagDefinitionCacheData =>
  cacheDefinitions(keys, { groupTypeMapping: { '0': 'company' } })

/** Intercepts `times` definitions requests, counting them. */
export function mockDefinitions(status = 200, body: unknown = apiBody(), times = 1): { calls: () => number } {
  let calls = 0
  nock(HOST)
    .get(DEFINITIONS_PATH)
    .times(times)
    .reply(() => {
      calls += 1
      return [status, body as nock.Body]
    })
  return { calls: () => calls }
}

export interface Harness {
  poller: DefinitionsPoller
  errors: Error[]
  loads: number[]
  /** What the poller logged (provider failures, once per kind). */
  warnings: string[]
  messages: () => string[]
}

const live: DefinitionsPoller[] = []

export function startPoller(overrides: Partial<PollerOptions> = {}): Harness {
  const errors: Error[] = []
  const loads: number[] = []
  const warnings: string[] = []
  const poller = new DefinitionsPoller({
    projectApiKey: PROJECT_KEY,
    personalApiKey: PERSONAL_KEY,
    host: HOST,
    pollingIntervalMs: 1000,
    requestTimeoutMs: 1000,
    getFetch: () => globalThis.fetch as never,
    customHeaders: { 'User-Agent': 'posthog-node/test' },
    providerTimeoutMs: 200,
    onError: (error) => errors.push(error),
    onLoad: (count) => loads.push(count),
    warn: (message) => warnings.push(message),
    ...overrides,
  })
  live.push(poller)
  return { poller, errors, loads, warnings, messages: () => errors.map((e) => e.message) }
}

/** Stops every poller a test started, so nothing leaks into the next test. */
export async function stopAll(): Promise<void> {
  await Promise.all(live.splice(0).map((poller) => poller.stop(100)))
}

/** The teardown every poller spec runs after each test: stop pollers, real timers, no mocks or interceptors left. */
export async function resetAfterEach(): Promise<void> {
  await stopAll()
  jest.useRealTimers()
  jest.restoreAllMocks()
  nock.cleanAll()
}

type Answer<T> = T | (() => T)
const answer = <T>(value: Answer<T>): T => (typeof value === 'function' ? (value as () => T)() : value)

export type FakeProvider = FlagDefinitionCacheProvider & {
  getFlagDefinitions: jest.Mock
  shouldFetchFlagDefinitions: jest.Mock
  onFlagDefinitionsReceived: jest.Mock
  shutdown: jest.Mock
}

/** A provider whose every method is a jest mock; pass functions to make a method async, throw or hang. */
export function fakeProvider(
  spec: {
    read?: Answer<unknown>
    shouldFetch?: Answer<unknown>
    store?: (data: FlagDefinitionCacheData) => unknown
    shutdown?: () => unknown
  } = {}
): FakeProvider {
  return {
    getFlagDefinitions: jest.fn(() => answer(spec.read)),
    shouldFetchFlagDefinitions: jest.fn(() => (spec.shouldFetch === undefined ? true : answer(spec.shouldFetch))),
    onFlagDefinitionsReceived: jest.fn((data: FlagDefinitionCacheData) => spec.store?.(data)),
    shutdown: jest.fn(() => spec.shutdown?.()),
  } as FakeProvider
}

export const never = (): Promise<never> => new Promise(() => undefined)

/** Lets pending microtasks and already-resolved I/O run. */
export const flushAsync = async (rounds = 5): Promise<void> => {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve))
}

/** Fake time for the poller's timers; nock and fetch need real ticks and immediates to answer. */
export const FAKE_TIMERS: Parameters<typeof jest.useFakeTimers>[0] = {
  doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'],
}

/** Waits (on real macrotask turns) until `predicate` holds; fails loudly instead of hanging. */
export async function until(predicate: () => boolean, what = 'condition', rounds = 500): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (predicate()) return
    await new Promise((resolve) => setImmediate(resolve))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** Advances fake time, then lets I/O that became due (nock replies) complete. */
export async function advance(ms: number): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms)
  await flushAsync(20)
}
