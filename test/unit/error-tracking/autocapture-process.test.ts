// The uncaught-exception path ends the process, so it runs in a child node process.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildSync } from 'esbuild'

let dir: string
let script: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'posthog-autocapture-'))
  script = join(dir, 'child.js')
  buildSync({
    entryPoints: [join(__dirname, 'fatal-child.fixture.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: script,
    logLevel: 'silent',
  })
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
