// Fleet freshness and economy with push and the shared ETag, run by one test file per provider:
//   - a flag change reaches every worker within about one polling interval, all of them at once, while the fleet
//     still makes about one API request per interval;
//   - with unchanged definitions, every request after the first carries the fleet's ETag and is answered 304.
import { DEFAULT_DEFINITIONS, start, type StandIn } from '../../../tools/posthog-stand-in.cjs'
import { removeSnapshot, snapshotOfBuild } from './build'
import { Fleet, sleep, waitFor, type Worker, type WorkerConfig, type WorkerReport } from './fleet'
import { referenceEvaluation } from './reference'
import type { ProviderSettings } from './scenarios'

/** Polling interval of the lag measurements: long enough that a loaded 2-core machine's jitter stays small next to it. */
export const FRESHNESS_INTERVAL_MS = 1000
/** Polling interval of the other fleet specs, which bound counts rather than times. */
export const FAST_INTERVAL_MS = 500
const TIMING = { leaseMs: 1500, timeoutMs: 2000 }

/** The stand-in's definitions with new-checkout on or off for everyone (probe-user included). */
export function probeDefinitions(on: boolean): typeof DEFAULT_DEFINITIONS {
  const copy = structuredClone(DEFAULT_DEFINITIONS) as typeof DEFAULT_DEFINITIONS
  const flag = copy.flags.find((f) => f.key === 'new-checkout')! as { filters: { groups: unknown[] } }
  flag.filters.groups = [{ properties: [], rollout_percentage: on ? 100 : 0 }]
  return copy
}

/** JSON with sorted keys: IPC messages come from another realm. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v
  )
}

export function expectCorrect(reports: WorkerReport[], reference: unknown): void {
  for (const report of reports) {
    expect(report.exceptions).toEqual([])
    expect(canonical(report.lastResult)).toBe(canonical(reference))
  }
}

/** Starts `count` workers at spread-out phases over one interval, as a real fleet polls. */
export async function startSpread(fleet: Fleet, count: number, intervalMs: number): Promise<Worker[]> {
  const started: Promise<Worker[]>[] = []
  for (let i = 0; i < count; i++) {
    started.push(fleet.start(1))
    await sleep(intervalMs / count)
  }
  return (await Promise.all(started)).flat()
}

export interface FlipResult {
  lags: number[]
  /** Per flip: last worker to answer the new value minus the first. */
  disagreements: number[]
  missed: number
  requestsPerInterval: number
}

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]
}

/** Flips new-checkout `flips` times at random phases and measures when each worker answered each new value. */
export async function measureFlips(
  api: StandIn,
  workers: Worker[],
  flips: number,
  intervalMs: number,
  between: () => Promise<void> = async () => undefined
): Promise<FlipResult> {
  await waitFor(() => workers.every((w) => w.values.some((v) => v.value === false)), 10_000, 'every worker loaded')
  await sleep(intervalMs * 2)
  const before = api.requests()
  const startedAt = Date.now()
  const changes: { at: number; value: boolean }[] = []
  // Continues from where the flag is now (an earlier measurement may have left it on).
  let current = workers[0].values[workers[0].values.length - 1]?.value === true
  for (let f = 0; f < flips; f++) {
    // Far enough apart that every worker sees one change before the next, at random phases against the polling.
    await sleep(intervalMs * (1.7 + Math.random() * 0.4))
    await between()
    const value = !current
    current = value
    api.setDefinitions(probeDefinitions(value))
    changes.push({ at: Date.now(), value })
  }
  await sleep(intervalMs * 2)
  const requestsPerInterval = (api.requests() - before) / ((Date.now() - startedAt) / intervalMs)
  const lags: number[] = []
  const disagreements: number[] = []
  let missed = 0
  changes.forEach((change, f) => {
    const until = changes[f + 1]?.at ?? Infinity
    const seen = workers.map((w) => w.values.find((v) => v.value === change.value && v.at >= change.at && v.at < until))
    const found = seen.filter((v) => v !== undefined).map((v) => v.at - change.at)
    missed += seen.length - found.length
    lags.push(...found)
    if (found.length) disagreements.push(Math.max(...found) - Math.min(...found))
  })
  if (process.env.MULTIPROCESS_DEBUG) console.log(JSON.stringify({ lags, disagreements, missed, requestsPerInterval }))
  return { lags, disagreements, missed, requestsPerInterval }
}

/** The done-when of push: p90 ≤ 1.2 × interval, max ≤ 1.5 ×, disagreement ≤ 300 ms, ≤ 1.2 requests per interval. */
export function expectAsFreshAsALoneProcess(result: FlipResult, intervalMs: number): void {
  expect(result.missed).toBe(0)
  expect(quantile(result.lags, 0.9)).toBeLessThanOrEqual(1.2 * intervalMs)
  expect(Math.max(...result.lags)).toBeLessThanOrEqual(1.5 * intervalMs)
  expect(Math.max(...result.disagreements)).toBeLessThanOrEqual(300)
  expect(result.requestsPerInterval).toBeLessThanOrEqual(1.2)
}

/** Pushed at once and never later than a lone process could be: for specs about robustness (few flips). */
export function expectPushed(result: FlipResult, intervalMs: number): void {
  expect(result.missed).toBe(0)
  expect(Math.max(...result.lags)).toBeLessThanOrEqual(1.5 * intervalMs)
  expect(Math.max(...result.disagreements)).toBeLessThanOrEqual(300)
  expect(result.requestsPerInterval).toBeLessThanOrEqual(1.2)
}

/**
 * `push: false` for a provider without change notifications (DynamoDB): its followers see a change at their next
 * poll, up to about two intervals late, so only the ETag scenario applies.
 */
export function freshnessScenarios(
  settings: () => ProviderSettings,
  workerCount = 16,
  { push = true }: { push?: boolean } = {}
): void {
  let intervalMs = FRESHNESS_INTERVAL_MS
  let api: StandIn | undefined
  let fleet: Fleet | undefined
  let distDir: string | undefined
  const config = (): WorkerConfig => ({
    ...settings(),
    ...TIMING,
    distDir: distDir!,
    apiUrl: api!.url,
    pollingIntervalMs: intervalMs,
    maxAgeMs: intervalMs,
    evaluateEveryMs: 200, // 16 processes on 2 cores: leave the CPU to the measurement
  })
  beforeAll(() => {
    distDir = snapshotOfBuild()
  })
  afterAll(() => removeSnapshot(distDir))
  afterEach(async () => {
    await fleet?.stop()
    fleet = undefined
    await api?.close()
  })

  const withPush = push ? it : () => undefined
  withPush(
    `${workerCount} workers: each flag change reaches all of them within about one interval and at once, at about one request per interval`,
    async () => {
      const finalReference = await referenceEvaluation(probeDefinitions(false))
      intervalMs = FRESHNESS_INTERVAL_MS
      api = await start({ definitions: probeDefinitions(false) })
      fleet = new Fleet({ ...config(), watch: true })
      const workers = await startSpread(fleet, workerCount, intervalMs)
      const result = await measureFlips(api, workers, 4, intervalMs)
      expectAsFreshAsALoneProcess(result, intervalMs)
      const reports = await fleet.reports()
      expectCorrect(reports, finalReference) // 4 flips: back where it started
      expect(reports.reduce((sum, r) => sum + r.clientStats.notificationReloads, 0)).toBeGreaterThan(0)
    }
  )

  it(`${workerCount} workers, unchanged definitions for 20 intervals: every request carries the fleet ETag and is answered 304`, async () => {
    intervalMs = FAST_INTERVAL_MS
    const reference = await referenceEvaluation()
    api = await start()
    const requests: { ifNoneMatch: string | undefined; status?: number }[] = []
    api.onRequest((r) => r.kind === 'definitions' && requests.push({ ifNoneMatch: r.ifNoneMatch }))
    api.onResponse((r) => {
      const pending = requests.find((request) => request.status === undefined)
      if (pending) pending.status = r.status
    })
    fleet = new Fleet(config())
    // Start-up: the first worker fetches in full (no ETag: it has nothing). A worker that finds nothing stored may
    // wait for the cache only so long, then fetch for itself, also without an ETag; on a loaded machine a few do.
    await startSpread(fleet, workerCount, intervalMs)
    const startup = requests.length
    await sleep(intervalMs * 20)
    const reports = await fleet.reports()
    if (process.env.MULTIPROCESS_DEBUG) console.log(JSON.stringify({ startup, requests }))
    expect(requests[0].ifNoneMatch).toBeUndefined()
    const cold = requests.slice(0, startup).filter((r) => r.status === 200)
    expect(cold.every((r) => r.ifNoneMatch === undefined)).toBe(true) // never a full download it asked to skip
    expect(cold.length).toBeLessThan(workerCount / 4)
    // Then, with every worker holding the definitions: one conditional request per interval, each with the fleet's
    // ETag, answered 304 (at most one full download, should the stored entry be replaced meanwhile).
    const steady = requests.slice(startup)
    expect(steady.length).toBeGreaterThanOrEqual(5)
    expect(steady.length).toBeLessThanOrEqual(1.2 * 20 + 1)
    expect(steady.filter((r) => r.ifNoneMatch !== api!.etag())).toEqual([])
    expect(steady.filter((r) => r.status !== 304).length).toBeLessThanOrEqual(1)
    expectCorrect(reports, reference)
  })
}
