// examples/lambda/driver.mjs runs the Lambda handler example against dynalite and the stand-in API; these check the
// numbers it reports: about one definitions request per maxAgeMs for the whole fleet, cold starts served from the
// table, and no invocation evaluating with definitions much older than twice maxAgeMs.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'

jest.setTimeout(120_000)

const driver = join(__dirname, '..', '..', 'examples', 'lambda', 'driver.mjs')

interface Summary {
  invocations: number
  containers: number
  maxAgeMs: number
  elapsedMs: number
  apiRequests: number
  coldStarts: number
  coldStartApiRequests: number
  maxDefinitionsAgeMs: number
  rows: { invocation: number; cold: boolean; apiRequests: number; definitionsAgeMs: number | null }[]
}

async function run(...args: string[]): Promise<Summary> {
  const { stdout } = await promisify(execFile)(process.execPath, [driver, '--json', ...args], { timeout: 100_000 })
  return JSON.parse(stdout.trim().split('\n').pop()!) as Summary
}

describe('the Lambda example (examples/lambda)', () => {
  it('20 invocations on 4 frozen containers make about one definitions request per maxAgeMs, with fresh definitions', async () => {
    const summary = await run('--invocations', '20', '--containers', '4', '--gap', '250', '--max-age', '1000')
    expect(summary.rows).toHaveLength(20)
    expect(summary.coldStarts).toBe(4)
    // Without the shared table each container fetches on its cold start and on each stale check: 4 + 1 per second each.
    expect(summary.apiRequests).toBeGreaterThanOrEqual(2)
    expect(summary.apiRequests).toBeLessThanOrEqual(Math.ceil(summary.elapsedMs / summary.maxAgeMs) + 1)
    expect(summary.rows.every((row) => row.apiRequests <= 1)).toBe(true)
    expect(summary.rows.every((row) => row.definitionsAgeMs !== null)).toBe(true)
    // A container checks at most every maxAgeMs and a fresh copy is at most maxAgeMs old (plus scheduling slack).
    expect(summary.maxDefinitionsAgeMs).toBeLessThan(2 * summary.maxAgeMs + 500)
  })

  it('cold starts on a warm table evaluate without a definitions request', async () => {
    const summary = await run('--invocations', '8', '--containers', '4', '--gap', '50', '--max-age', '30000')
    expect(summary.coldStarts).toBe(4)
    expect(summary.apiRequests).toBe(1) // the very first cold start, on an empty table
    expect(summary.rows.filter((row) => row.cold && row.invocation > 1).map((row) => row.apiRequests)).toEqual([
      0, 0, 0,
    ])
  })
})
