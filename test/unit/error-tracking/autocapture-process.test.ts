// The uncaught-exception path ends the process, so it runs in a child node process.
import { spawn, spawnSync } from 'node:child_process'
import { createServer } from 'node:http'
import { type AddressInfo } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildSync } from 'esbuild'

let dir: string
let script: string
let clientScript: string

function bundle(fixture: string, outfile: string): void {
  buildSync({
    entryPoints: [join(__dirname, fixture)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    logLevel: 'silent',
  })
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'posthog-autocapture-'))
  script = join(dir, 'child.js')
  clientScript = join(dir, 'client-child.js')
  bundle('fatal-child.fixture.ts', script)
  bundle('fatal-client.fixture.ts', clientScript)
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

function run(env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [script], {
    encoding: 'utf8',
    timeout: 20000,
    env: { ...process.env, ...env },
  })
  const records = result.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
  return { status: result.status, records, stderr: result.stderr }
}

describe('uncaught exception autocapture in a real process', () => {
  it('captures the error, prints it, flushes with a 2 s timeout, then exits with code 1', () => {
    const { status, records, stderr } = run()

    expect(status).toBe(1)
    expect(records).toEqual([
      {
        captured: [
          expect.objectContaining({
            type: 'Error',
            value: 'fatal boom',
            mechanism: { type: 'onuncaughtexception', handled: false, synthetic: false },
          }),
        ],
      },
      { shutdown: 2000 },
    ])
    expect(stderr).toContain('fatal boom')
  })

  it('leaves the process running when the application has its own uncaughtException listener', () => {
    const { status, records } = run({ WITH_USER_LISTENER: '1' })

    expect(status).toBe(0)
    expect(records).toEqual(
      expect.arrayContaining([
        { userListener: 'Error: fatal boom' },
        { captured: [expect.objectContaining({ value: 'fatal boom' })] },
        { stillRunning: true },
      ])
    )
    expect(records).not.toContainEqual({ shutdown: 2000 })
  })
})

describe('uncaught exception autocapture with the real client', () => {
  it('sends the $exception to PostHog before the process exits with code 1', async () => {
    const received: { event: string; properties: Record<string, unknown> }[] = []
    const server = createServer((req, res) => {
      let body = ''
      req.on('data', (chunk) => (body += chunk))
      req.on('end', () => {
        if (req.url?.startsWith('/batch')) received.push(...JSON.parse(body).batch)
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    try {
      const child = spawn(process.execPath, [clientScript], {
        env: { ...process.env, POSTHOG_HOST: `http://127.0.0.1:${port}` },
        stdio: ['ignore', 'ignore', 'pipe'],
      })
      let stderr = ''
      child.stderr.on('data', (chunk) => (stderr += chunk))
      const status = await new Promise<number | null>((resolve) => child.on('exit', resolve))

      expect(status).toBe(1)
      expect(stderr).toContain('crash with a real client')
      expect(received).toEqual([
        expect.objectContaining({
          event: '$exception',
          properties: expect.objectContaining({
            $process_person_profile: false,
            $exception_list: [
              expect.objectContaining({
                value: 'crash with a real client',
                mechanism: { type: 'onuncaughtexception', handled: false, synthetic: false },
              }),
            ],
          }),
        }),
      ])
    } finally {
      server.close()
    }
  })
})
