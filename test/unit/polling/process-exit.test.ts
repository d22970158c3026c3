// A process whose client polls definitions exits on its own: every timer of the refresh loop is unref'd, including
// the bound on a provider shutdown that never settles. The client is bundled from src with esbuild and run in a
// child Node process (the API host refuses connections, so nothing is mocked).
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

/** Runs `body` after creating a client; resolves with the exit code, or 'still running' after `limitMs`. */
function runChild(body: string, limitMs = 8000): Promise<number | 'still running'> {
  const script = join(dir, `child-${Math.random().toString(36).slice(2)}.js`)
  writeFileSync(
    script,
    `const { PostHog } = require(${JSON.stringify(bundle)})
const provider = {
  getFlagDefinitions: () => undefined,
  shouldFetchFlagDefinitions: () => true,
  onFlagDefinitionsReceived: () => undefined,
  shutdown: () => new Promise(() => {}),
}
const client = new PostHog('phc_test', {
  host: 'http://127.0.0.1:9',
  personalApiKey: 'phx_test',
  featureFlagsPollingInterval: 100,
  flagDefinitionCacheProvider: provider,
  fetchRetryCount: 0,
})
client.on('error', () => {})
${body}
`
  )
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [script], { stdio: 'ignore' })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      resolvePromise('still running')
    }, limitMs)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolvePromise(code ?? -1)
    })
  })
}

describe('process lifetime', () => {
  it('exits after an awaited shutdown whose provider shutdown never settles', async () => {
    expect(await runChild(`setTimeout(async () => { await client.shutdown(200); console.log('done') }, 300)`)).toBe(0)
  })

  it('is not held for the 30 s shutdown bound while the provider shutdown never settles', async () => {
    expect(await runChild(`setTimeout(() => client.shutdown(), 300)`)).toBe(0)
  })

  it('exits when the script ends without calling shutdown', async () => {
    expect(await runChild(`setTimeout(() => {}, 300)`)).toBe(0)
  })
})
