// Bare scripts on the packed package reach the line after every `await`, deliver their events and exit by
// themselves: a cold follower while another process holds the lease, a file-provider process awaiting getAllFlags
// while the lease holder never stores, and a custom provider that never answers followed by `await shutdown()`.
// Each script runs in its own node process with nothing else holding its event loop; the PostHog API is a local
// stand-in running in this (the test's) process.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createProject } from './helpers/consumer-project'
import { repoRoot } from './helpers/packed-consumer'

// The first file to run packs and installs the package; a loaded machine makes that slow, not wrong.
jest.setTimeout(120_000)

interface StandIn {
  url: string
  requests(kind?: 'definitions' | 'batch' | 'flags' | 'all'): number
  onRequest(listener: (request: { kind: string }) => void): void
  close(): Promise<void>
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const standIn = require(join(repoRoot, 'tools', 'posthog-stand-in.cjs')) as {
  start(options?: { latencyMs?: number; mode?: 'ok' | 'hang' }): Promise<StandIn>
}

interface Step {
  step: 'start' | 'answered' | 'flushed' | 'shut down'
  at: number
  timeOrigin?: number
  value?: unknown
  events?: string[]
  stats?: { apiFetches: number; cacheHits: number }
}
interface Run {
  code: number | null
  steps: Step[]
  /** When the process exited, by this process's clock (the same machine's). */
  exitedAt: number
  stderr: string
  step(name: Step['step']): Step | undefined
  /** From the process's own start (performance.timeOrigin) to its exit. */
  lifetimeMs(): number
}

let project: string
let cacheDir: string
const apis: StandIn[] = []
beforeAll(() => {
  project = createProject({
    name: 'awaited-line',
    packageType: 'commonjs',
    compilerOptions: {},
    files: ['runtime/awaited-line.cjs'],
  })
})
beforeEach(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'posthog-awaited-line-'))
})
afterEach(async () => {
  await Promise.all(apis.splice(0).map((api) => api.close()))
  rmSync(cacheDir, { recursive: true, force: true })
})

async function api(options: { latencyMs?: number; mode?: 'ok' | 'hang' } = {}): Promise<StandIn> {
  const started = await standIn.start(options)
  apis.push(started)
  return started
}

/** Starts the fixture; resolves when the process exits (killed after 15 s, which fails every assertion below). */
function run(scenario: string, apiUrl: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['awaited-line.cjs', scenario, apiUrl, cacheDir], {
      cwd: project,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    child.on('exit', (code) => {
      clearTimeout(killer)
      const exitedAt = Date.now()
      const steps = stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Step)
      const step = (name: Step['step']) => steps.find((s) => s.step === name)
      resolve({
        code,
        steps,
        exitedAt,
        stderr,
        step,
        lifetimeMs: () => exitedAt - (step('start')?.timeOrigin ?? Number.NaN),
      })
    })
  })
}

/** Resolves at the first definitions request the stand-in receives: the process that sent it holds the lease. */
function firstDefinitionsRequest(standInApi: StandIn): Promise<void> {
  return new Promise((resolve) => standInApi.onRequest((request) => request.kind === 'definitions' && resolve()))
}

function expectReachedEveryLine(result: Run, stderrLines: RegExp[] = []): void {
  expect(result.code).toBe(0)
  expect(result.stderr.split('\n').filter(Boolean)).toEqual(stderrLines.map((line) => expect.stringMatching(line)))
  expect(result.steps.map((s) => s.step)).toEqual(['start', 'answered', 'flushed', 'shut down'])
  expect(result.step('flushed')?.events).toEqual(expect.arrayContaining(['after the await']))
  // Exits by itself right after shutdown() resolved: nothing the client started is left holding the process (a
  // provider or request timeout would show as seconds here; the rest is process teardown on a busy machine).
  expect(result.exitedAt - result.step('shut down')!.at).toBeLessThan(1000)
}

it('a cold follower awaiting getFeatureFlag while another process holds the lease and is slow', async () => {
  const leaderApi = await api({ latencyMs: 600 })
  const followerApi = await api({ latencyMs: 600 })
  const leaderHasLease = firstDefinitionsRequest(leaderApi)
  const leader = run('file-flag', leaderApi.url)
  await leaderHasLease
  const follower = await run('file-flag', followerApi.url)
  expectReachedEveryLine(follower)
  // Evaluated locally from the copy the leader stored (user-1 falls outside new-checkout's 50%).
  expect(follower.step('answered')).toMatchObject({ value: false, stats: { apiFetches: 0, cacheHits: 1 } })
  expect(followerApi.requests('definitions')).toBe(0)
  expect(followerApi.requests('batch')).toBeGreaterThanOrEqual(1)
  expect(follower.lifetimeMs()).toBeLessThan(3000)
  expectReachedEveryLine(await leader)
})

it('a file-provider process awaiting getAllFlags while the lease holder never stores', async () => {
  const leaderApi = await api({ mode: 'hang' })
  const followerApi = await api()
  const leaderHasLease = firstDefinitionsRequest(leaderApi)
  const leader = run('file-flag', leaderApi.url)
  await leaderHasLease
  const follower = await run('file-all-flags', followerApi.url)
  expectReachedEveryLine(follower)
  // It waited for the holder's copy (bounded by requestTimeout here), then fetched for itself.
  expect(follower.step('answered')).toMatchObject({ stats: { apiFetches: 1 } })
  expect(Object.keys(follower.step('answered')!.value as object)).toContain('new-checkout')
  expect(followerApi.requests('batch')).toBeGreaterThanOrEqual(1)
  expect(follower.lifetimeMs()).toBeLessThan(3000)
  await leader
})

it('a custom provider that never answers, then await shutdown(): bounded by the provider timeout', async () => {
  const standInApi = await api()
  const result = await run('hanging-provider', standInApi.url)
  // Logged once each, although the script listens to 'error' and ignores it.
  expectReachedEveryLine(result, [
    /^\[PostHog\] Failed to load from cache: getFlagDefinitions\(\) did not settle within 500ms/,
    /^\[PostHog\] Error during cache shutdown: shutdown\(\) did not settle within 500ms/,
  ])
  expect(result.step('answered')).toMatchObject({ value: false, stats: { apiFetches: 1 } })
  // flagDefinitionCacheProviderTimeoutMs (500) bounds provider.shutdown(), not the 30 s shutdown timeout.
  const shutdownMs = result.step('shut down')!.at - result.step('answered')!.at
  expect(shutdownMs).toBeGreaterThanOrEqual(450)
  expect(shutdownMs).toBeLessThan(1500)
  expect(standInApi.requests('batch')).toBeGreaterThanOrEqual(1)
  expect(result.lifetimeMs()).toBeLessThan(3000)
})
