// The cache-provider behaviours of the poller, proven on the packed package from a consumer project (plain
// CommonJS), against a local stand-in for the PostHog API. Each scenario runs in its own node process, which must
// also exit by itself: no timer of the client may keep it alive.
import { join } from 'node:path'
import { createProject, runNode } from './helpers/consumer-project'
import { repoRoot } from './helpers/packed-consumer'

// The first file to run packs and installs the package; a loaded machine makes that slow, not wrong.
jest.setTimeout(120_000)

const standIn = join(repoRoot, 'tools', 'posthog-stand-in.cjs')
let dir: string
beforeAll(() => {
  dir = createProject({
    name: 'cache-behaviours',
    packageType: 'commonjs',
    compilerOptions: {},
    files: ['runtime/cache-behaviours.cjs'],
  })
})

/** Runs one scenario; `warnings` are what it printed to stderr: provider failures, each kind logged once. */
async function scenario<T>(name: string, warnings: RegExp[] = []): Promise<T> {
  const result = await runNode(dir, ['cache-behaviours.cjs', standIn, name])
  expect(result.code).toBe(0)
  expect(result.stderr.split('\n').filter(Boolean)).toEqual(warnings.map((line) => expect.stringMatching(line)))
  return JSON.parse(result.stdout) as T
}

it('a warm cache answers the first flag with zero API requests, and polling goes on afterwards', async () => {
  const report = await scenario<{ first: unknown; requestsAtFirstFlag: number; shouldFetchCalls: number }>('warm-start')
  expect(report.first).toBe(true)
  expect(report.requestsAtFirstFlag).toBe(0)
  expect(report.shouldFetchCalls).toBeGreaterThanOrEqual(2)
})

it('a provider that never settles is given up on: the flag comes from the API and shutdown returns', async () => {
  const report = await scenario<{ value: unknown; shutdownMs: number; errors: string[]; stats: object }>(
    'hanging-provider',
    [
      /^\[PostHog\] Failed to load from cache: getFlagDefinitions\(\) did not settle/,
      /^\[PostHog\] Error during cache shutdown/,
    ]
  )
  // Evaluated from the fetched definitions (user-1 falls outside new-checkout's 50%); nothing loaded would be undefined.
  expect(report.value).toBe(false)
  // Each call given up on: the start-up read (after which the hung cache is not asked for the lease, and what was
  // fetched is not written) and shutdown.
  expect(report.stats).toMatchObject({ providerTimeouts: 2, apiFetches: 1 })
  expect(report.errors.some((message) => message.includes('Error in shouldFetchFlagDefinitions'))).toBe(false)
  expect(report.shutdownMs).toBeLessThan(1000) // bounded by the provider timeout (100 ms), far from the never of the provider
})

it('garbage from the cache is rejected with a reason and the client fetches instead', async () => {
  const report = await scenario<{ keys: string[]; errors: string[]; requests: number }>('garbage-cache', [
    /^\[PostHog\] Failed to load from cache: the cached flag definitions are invalid/,
  ])
  expect(report.keys).toContain('new-checkout')
  expect(report.requests).toBe(1)
  expect(report.errors.some((message) => /Failed to load from cache.*flags is a string/.test(message))).toBe(true)
})

it('throwing provider methods are reported under their upstream message prefixes and worked around', async () => {
  const report = await scenario<{ value: unknown; errors: string[] }>('throwing-provider', [
    /^\[PostHog\] Failed to load from cache: Error: read exploded/,
    /^\[PostHog\] Error in shouldFetchFlagDefinitions: Error: lock exploded/,
    /^\[PostHog\] Failed to store in cache: Error: write exploded/,
    /^\[PostHog\] Error during cache shutdown: Error: shutdown exploded/,
  ])
  expect(report.value).toBe(false) // evaluated locally from the API's definitions, as above
  for (const prefix of [
    'Failed to load from cache',
    'Error in shouldFetchFlagDefinitions',
    'Failed to store in cache',
    'Error during cache shutdown',
  ]) {
    expect(report.errors.some((message) => message.includes(prefix))).toBe(true)
  }
})

it('shutdown() resolves only after provider.shutdown() finished', async () => {
  expect(await scenario<{ providerShutDownBeforeReturn: boolean }>('shutdown-awaits-provider')).toEqual({
    providerShutDownBeforeReturn: true,
  })
})
