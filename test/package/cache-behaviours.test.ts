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

async function scenario<T>(name: string): Promise<T> {
  const result = await runNode(dir, ['cache-behaviours.cjs', standIn, name])
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' })
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
    'hanging-provider'
  )
  // Evaluated from the fetched definitions (user-1 falls outside new-checkout's 50%); nothing loaded would be undefined.
  expect(report.value).toBe(false)
  // Each call given up on: the start-up read, shouldFetch (so: fetch), the store of what was fetched, shutdown.
  expect(report.stats).toMatchObject({ providerTimeouts: 4, apiFetches: 1 })
  expect(report.errors.some((message) => message.includes('Error in shouldFetchFlagDefinitions'))).toBe(true)
  expect(report.shutdownMs).toBeLessThan(5000) // bounded by shutdown(300), far from the never of the provider
})

it('garbage from the cache is rejected with a reason and the client fetches instead', async () => {
  const report = await scenario<{ keys: string[]; errors: string[]; requests: number }>('garbage-cache')
  expect(report.keys).toContain('new-checkout')
  expect(report.requests).toBe(1)
  expect(report.errors.some((message) => /Failed to load from cache.*flags is a string/.test(message))).toBe(true)
})

it('throwing provider methods are reported under their upstream message prefixes and worked around', async () => {
  const report = await scenario<{ value: unknown; errors: string[] }>('throwing-provider')
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
