// A change subscription never keeps a process alive: a script that closes its own Redis connection and forgets
// posthog.shutdown() still exits, although the provider's duplicated subscriber connection is still open. Run in a
// child Node process with the provider bundled from src, against the real Redis server.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { buildSync } from 'esbuild'
import { describeWith, REDIS_URL } from '../../helpers/services'

describeWith('redis', 'a Redis change subscription', () => {
  let dir: string

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'posthog-subscriber-exit-'))
    buildSync({
      entryPoints: [resolve(__dirname, '../../../src/experimental/index.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: join(dir, 'experimental.js'),
      logLevel: 'silent',
    })
  })

  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('lets a script exit while its subscriber connection is open', async () => {
    const script = join(dir, 'child.js')
    writeFileSync(
      script,
      `const Redis = require(${JSON.stringify(require.resolve('ioredis'))})
  const { RedisFlagDefinitionCache } = require(${JSON.stringify(join(dir, 'experimental.js'))})
  const redis = new Redis(${JSON.stringify(REDIS_URL)})
  const provider = new RedisFlagDefinitionCache(redis, { key: 'exit-${process.pid}-${Date.now()}', keyPrefix: 'tidy-exit:' })
  provider.subscribe(() => undefined)
  setTimeout(async () => {
    await redis.quit()
    process.stdout.write('quit\\n')
  }, 500)
  `
    )
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const code = await new Promise<number | 'still running'>((done) => {
      const limit = setTimeout(() => {
        child.kill('SIGKILL')
        done('still running')
      }, 6000)
      child.on('exit', (exitCode) => {
        clearTimeout(limit)
        done(exitCode ?? -1)
      })
    })
    expect(output).toContain('quit')
    expect(code).toBe(0)
  })
})
