// How long a process with a client lives, with nothing else holding its event loop. Background work (polling, a
// forgotten shutdown) never keeps it alive; a call the script awaits always does, until its answer comes, so the
// line after the `await` runs. The client is bundled from src with esbuild and run in a child Node process; the API
// host refuses connections or a custom fetch/provider without handles plays it, so nothing is mocked in-process.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { buildSync } from 'esbuild'

let dir: string
let bundle: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'posthog-poller-exit-'))
  bundle = join(dir, 'posthog.js')
  buildSync({
    entryPoints: [resolve(__dirname, '../../../src/entrypoints/index.node.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: bundle,
    logLevel: 'silent',
  })
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface ChildRun {
  /** The exit code, or 'still running' when it was killed after the limit. */
  code: number | 'still running'
  /** Lines the script printed. */
  lines: string[]
  /** From spawn to exit. */
  ms: number
}

const NEVER = '() => new Promise(() => {})'
const HANGING_PROVIDER = `{ getFlagDefinitions: ${NEVER}, shouldFetchFlagDefinitions: ${NEVER},
  onFlagDefinitionsReceived: ${NEVER}, shutdown: ${NEVER} }`
const DEFINITIONS = JSON.stringify({
  flags: [{ id: 1, key: 'on', active: true, filters: { groups: [{ properties: [], rollout_percentage: 100 }] } }],
  group_type_mapping: {},
  cohorts: {},
})

/**
 * Runs `body` (top-level await allowed) after creating `client` with `options` (source text, merged over a client
 * whose API host refuses connections); `setup` runs before the client exists.
 */
function runChild(body: string, options = '{}', setup = '', limitMs = 8000): Promise<ChildRun> {
  const script = join(dir, `child-${Math.random().toString(36).slice(2)}.js`)
  writeFileSync(
    script,
    `const { PostHog } = require(${JSON.stringify(bundle)})
const print = (line) => process.stdout.write(String(line) + '\\n')
${setup}
const client = new PostHog('phc_test', {
  host: 'http://127.0.0.1:9',
  personalApiKey: 'phx_test',
  fetchRetryCount: 0,
  ...${options},
})
client.on('error', () => {})
;(async () => {
${body}
})()
`
  )
  const startedAt = Date.now()
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'ignore'] })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolvePromise({
        code: code ?? 'still running',
        lines: out.split('\n').filter(Boolean),
        ms: Date.now() - startedAt,
      })
    })
  })
}

describe('a process nobody waits on exits by itself', () => {
  it('when the script ends without calling shutdown, however short the polling interval', async () => {
    const run = await runChild(
      `print('end')`,
      `{ featureFlagsPollingInterval: 100, flagDefinitionCacheProvider: ${HANGING_PROVIDER} }`
    )
    expect(run).toMatchObject({ code: 0, lines: ['end'] })
  })

  it('after a shutdown() nobody awaits, once the provider timeout bounding the hung provider.shutdown() passed', async () => {
    // shutdown() holds the process like any call (it has events to deliver), but only for its bound.
    const run = await runChild(
      `setTimeout(() => client.shutdown(), 300)`,
      `{ featureFlagsPollingInterval: 100, flagDefinitionCacheProvider: ${HANGING_PROVIDER},
         flagDefinitionCacheProviderTimeoutMs: 500 }`
    )
    expect(run.code).toBe(0)
    expect(run.ms).toBeLessThan(3000) // not the 30 s shutdown timeout
  })
})

describe('an awaited call reaches the line after its await', () => {
  it('getFeatureFlag while the cache hangs: after one provider timeout, from the API', async () => {
    const run = await runChild(
      `print(await client.getFeatureFlag('on', 'u', { onlyEvaluateLocally: true }))`,
      `{ flagDefinitionCacheProvider: ${HANGING_PROVIDER}, flagDefinitionCacheProviderTimeoutMs: 300,
         fetch: async () => ({ status: 200, json: async () => (${DEFINITIONS}), text: async () => '' }) }`
    )
    expect(run).toMatchObject({ code: 0, lines: ['true'] })
  })

  it('getFeatureFlag of a cold follower: it waits for the process holding the lease to fill the cache', async () => {
    // Another process holds the lease (shouldFetch is false) and stores its copy 700 ms from now.
    const run = await runChild(
      `print(await client.getFeatureFlag('on', 'u', { onlyEvaluateLocally: true }))
print(client.getFlagDefinitionsStats().apiFetches)`,
      `{ flagDefinitionCacheProvider: provider }`,
      `const filledAt = Date.now() + 700
const data = ${DEFINITIONS}
const provider = {
  getFlagDefinitions: () => (Date.now() >= filledAt ? { flags: data.flags, groupTypeMapping: {}, cohorts: {} } : undefined),
  shouldFetchFlagDefinitions: () => false,
  onFlagDefinitionsReceived: () => undefined,
  shutdown: () => undefined,
}`
    )
    expect(run).toMatchObject({ code: 0, lines: ['true', '0'] })
  })

  it('reloadFeatureFlags while the API never answers: after the request timeout', async () => {
    const run = await runChild(
      `await client.reloadFeatureFlags()
print('reloaded')`,
      `{ requestTimeout: 300, fetch: ${NEVER} }`
    )
    expect(run).toMatchObject({ code: 0, lines: ['reloaded'] })
  })

  it('waitForLocalEvaluationReady: through the next polling tick, which brings the flags', async () => {
    const run = await runChild(
      `print(await client.waitForLocalEvaluationReady(5000))`,
      `{ featureFlagsPollingInterval: 300, fetch: async () => (calls++ === 0 ? { status: 500, json: async () => ({}), text: async () => '' }
         : { status: 200, json: async () => (${DEFINITIONS}), text: async () => '' }) }`,
      `let calls = 0`
    )
    expect(run).toMatchObject({ code: 0, lines: ['true'] })
  })

  it('shutdown while provider.shutdown never settles: bounded by the provider timeout, then the process exits', async () => {
    const run = await runChild(
      `const startedAt = Date.now()
await client.shutdown()
print(Date.now() - startedAt)`,
      `{ flagDefinitionCacheProvider: ${HANGING_PROVIDER}, flagDefinitionCacheProviderTimeoutMs: 400 }`
    )
    expect(run.code).toBe(0)
    expect(run.lines).toHaveLength(1)
    const shutdownMs = Number(run.lines[0])
    expect(shutdownMs).toBeGreaterThanOrEqual(350)
    expect(shutdownMs).toBeLessThan(2000) // the provider timeout, not the 30 s shutdown default
  })

  it('shutdown with a shorter shutdown timeout than the provider timeout: bounded by the shutdown timeout', async () => {
    const run = await runChild(
      `const startedAt = Date.now()
await client.shutdown(200)
print(Date.now() - startedAt)`,
      `{ flagDefinitionCacheProvider: ${HANGING_PROVIDER} }`
    )
    expect(run.code).toBe(0)
    expect(Number(run.lines[0])).toBeLessThan(1500)
  })
})
