// Clients on a nock-mocked PostHog API, for specifications of the cache integration through `new PostHog(...)`.
import nock from 'nock'
import { PostHog, type PostHogOptions } from '../../../src/entrypoints/index.node'
import { flushAsync } from './helpers'

export const CLIENT_HOST = 'http://example.com'
const DEFINITIONS = '/api/feature_flag/local_evaluation?token=TEST_API_KEY&send_cohorts'

/** The fixture of upstream's cache.spec.ts: one active flag without conditions, evaluating to false. */
export const fixtureBody = {
  flags: [{ id: 1, name: 'Test Flag', key: 'test-flag', active: true, deleted: false, filters: {} }],
  group_type_mapping: { '0': 'company' },
  cohorts: {},
}
export const fixtureData = {
  flags: fixtureBody.flags,
  groupTypeMapping: { '0': 'company' },
  cohorts: {},
}

/** Serves the definitions (persistently) and swallows batches; returns how many definition requests were made. */
export function mockApi(status = 200, body: unknown = fixtureBody): { calls: () => number } {
  let calls = 0
  nock(CLIENT_HOST)
    .persist()
    .get(DEFINITIONS)
    .reply(() => {
      calls += 1
      return [status, body as nock.Body]
    })
  nock(CLIENT_HOST).persist().post('/batch/').reply(200, {})
  nock(CLIENT_HOST)
    .persist()
    .post(/\/flags/)
    .reply(200, { flags: {} })
  return { calls: () => calls }
}

const clients: PostHog[] = []
let consoleWarn: jest.SpyInstance | undefined

/**
 * A client on the mocked API whose 'error' events are collected. Provider failures are also logged with console.warn
 * (once per kind); these specs read them from `errors`, so the log is silenced until shutdownAll().
 */
export function client(options: PostHogOptions = {}): { client: PostHog; errors: Error[]; messages: () => string[] } {
  if (!jest.isMockFunction(console.warn)) consoleWarn = jest.spyOn(console, 'warn').mockImplementation(() => undefined)
  const posthog = new PostHog('TEST_API_KEY', {
    host: CLIENT_HOST,
    personalApiKey: 'TEST_PERSONAL_API_KEY',
    fetchRetryCount: 0,
    disableCompression: true,
    ...options,
  })
  const errors: Error[] = []
  posthog.on('error', (error: Error) => errors.push(error))
  clients.push(posthog)
  return { client: posthog, errors, messages: () => errors.map((e) => String(e?.message ?? e)) }
}

/** Waits until the client's start-up load settled (the equivalent of upstream's flush of pending timers). */
export async function startedUp(posthog: PostHog): Promise<void> {
  await (
    posthog as unknown as { featureFlagsPoller?: { ensureLoaded(): Promise<void> } }
  ).featureFlagsPoller?.ensureLoaded()
  await flushAsync(20)
}

export async function shutdownAll(): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => c.shutdown(500)))
  consoleWarn?.mockRestore()
  consoleWarn = undefined
  nock.cleanAll()
}
