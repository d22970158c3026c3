// The multi-process behaviours every shipped provider must show, run by one test file per provider.
import { DEFAULT_DEFINITIONS, start, type StandIn, type StandInRequest } from '../../../tools/posthog-stand-in.cjs'
import { removeSnapshot, snapshotOfBuild } from './build'
import { Fleet, sleep, waitFor, type WorkerConfig, type WorkerReport } from './fleet'
import { referenceEvaluation } from './reference'
import type { TcpProxy } from './tcp-proxy'

export const INTERVAL_MS = 400

/** The worker settings of one provider; `apiUrl` is filled in per scenario. */
export type ProviderSettings = Omit<
  WorkerConfig,
  'distDir' | 'apiUrl' | 'pollingIntervalMs' | 'maxAgeMs' | 'leaseMs' | 'timeoutMs'
>

function expectHealthy(reports: WorkerReport[], reference: unknown): void {
  for (const report of reports) {
    expect(report.exceptions).toEqual([])
    expect(report.rounds).toBeGreaterThan(0)
    expect(report.lastResult).toEqual(reference)
  }
}

/** Definitions with one change, to see a refresh reach every worker. */
function withLegacyExportOn(): typeof DEFAULT_DEFINITIONS {
  const copy = structuredClone(DEFAULT_DEFINITIONS) as typeof DEFAULT_DEFINITIONS
  const flag = copy.flags.find((f) => f.key === 'legacy-export')!
  flag.active = true
  return copy
}

/** JSON with sorted keys: IPC messages come from another realm, so prototype-aware deep equality cannot be used. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v
  )
}

async function eventually(fleet: Fleet, reference: unknown, ms: number): Promise<WorkerReport[]> {
  const deadline = Date.now() + ms
  for (;;) {
    const reports = await fleet.reports()
    const matches = reports.every((report) => canonical(report.lastResult) === canonical(reference))
    if (matches || Date.now() > deadline) return reports
    await sleep(100)
  }
}

export function coordinationScenarios(settings: () => ProviderSettings): void {
  let api: StandIn
  let fleet: Fleet | undefined
  let reference: Record<string, Record<string, unknown>>
  let changedReference: Record<string, Record<string, unknown>>
  let distDir: string | undefined
  const base = (overrides: Partial<WorkerConfig> = {}): WorkerConfig => ({
    ...settings(),
    distDir: distDir!,
    apiUrl: api.url,
    pollingIntervalMs: INTERVAL_MS,
    maxAgeMs: INTERVAL_MS,
    leaseMs: 1500,
    // Generous: on a loaded 2-core machine a store call can take a while, and a timeout means a fallback fetch.
    timeoutMs: 2000,
    ...overrides,
  })

  beforeAll(async () => {
    distDir = snapshotOfBuild()
    reference = await referenceEvaluation()
    changedReference = await referenceEvaluation(withLegacyExportOn())
    expect(changedReference).not.toEqual(reference)
  })
  afterAll(() => removeSnapshot(distDir))
  beforeEach(async () => {
    api = await start()
  })
  afterEach(async () => {
    await fleet?.stop()
    fleet = undefined
    await api.close()
  })

  it('8 workers make about one API request per interval, not 8, and all evaluate correctly', async () => {
    const intervals = 12
    fleet = new Fleet(base())
    await fleet.start(8)
    const before = api.requests()
    await sleep(INTERVAL_MS * intervals)
    const requests = api.requests() - before
    const reports = await fleet.reports()

    if (process.env.MULTIPROCESS_DEBUG)
      console.log(
        JSON.stringify(
          {
            requests,
            reports: reports.map((r) => ({
              rounds: r.rounds,
              own: r.ownDefinitionsRequests,
              stats: r.clientStats,
              provider: r.providerStats,
            })),
          },
          null,
          1
        )
      )
    expect(requests).toBeLessThanOrEqual(intervals + 1)
    expect(requests).toBeGreaterThanOrEqual(3) // definitions are still refreshed
    expectHealthy(reports, reference)
    // Most workers refreshed only from the shared cache (typically one worker ends up doing every fetch).
    expect(reports.filter((report) => report.clientStats.cacheHits >= 2).length).toBeGreaterThanOrEqual(6)
  })

  it('a fresh process started against a warm cache evaluates its first flag with zero API requests', async () => {
    fleet = new Fleet(base({ maxAgeMs: 30_000, leaseMs: 5_000, pollingIntervalMs: 30_000 }))
    await fleet.start(1) // warms the cache
    const before = api.requests()
    const [fresh] = await fleet.start(1)
    const ready = await fresh.ready
    expect(ready.ownRequestsBeforeFirstFlag).toBe(0)
    expect(ready.source).toBe('cache')
    expect(ready.firstFlag).toBe(reference['user-0']['beta-dashboard'])
    expect(api.requests()).toBe(before)
  })

  it('when the lease holder is killed while its fetch hangs, another worker fetches once the lease lapses', async () => {
    const leaseMs = 1500
    fleet = new Fleet(base({ leaseMs }))
    await fleet.start(4)
    const definitionRequests: StandInRequest[] = []
    api.onRequest((request) => request.kind === 'definitions' && definitionRequests.push(request))

    api.setMode('hang')
    await waitFor(() => definitionRequests.some((r) => r.mode === 'hang'), 5_000, 'a definitions request to hang')
    const hung = definitionRequests.find((r) => r.mode === 'hang')!
    const holder = fleet.byAuthorization(hung.authorization)!
    holder.kill()
    api.setDefinitions(withLegacyExportOn())
    api.setMode('ok')

    await waitFor(
      () => definitionRequests.some((r) => r.mode === 'ok' && r.at > hung.at),
      leaseMs + 5_000,
      'a takeover'
    )
    const takeover = definitionRequests.find((r) => r.mode === 'ok' && r.at > hung.at)!
    expect(fleet.byAuthorization(takeover.authorization)).not.toBe(holder)
    // Nobody fetched while the dead holder's lease was valid: it was taken no earlier than the start of the holder's
    // last winning shouldFetch call, so it lasted until at least leaseMs after that (20 ms: clock granularity).
    const leaseCall = Math.max(...holder.leaseCalls.filter((at) => at <= hung.at))
    expect(takeover.at - leaseCall).toBeGreaterThanOrEqual(leaseMs - 20)

    // The takeover's definitions reach every surviving worker through the cache.
    const reports = await eventually(fleet, changedReference, 5_000)
    expect(reports).toHaveLength(3)
    expectHealthy(reports, changedReference)
  })
}

/**
 * The store disappears mid-run (the workers reach it through `proxy`, which the test stops) and comes back:
 * evaluation never fails, each worker fetches for itself meanwhile, and coordination resumes afterwards.
 */
export function storeOutageScenario(settings: (proxyPort: number) => ProviderSettings, proxy: () => TcpProxy): void {
  let api: StandIn
  let fleet: Fleet | undefined

  let distDir: string | undefined
  beforeAll(() => {
    distDir = snapshotOfBuild()
  })
  afterAll(() => removeSnapshot(distDir))
  afterEach(async () => {
    await fleet?.stop()
    fleet = undefined
    await api?.close()
  })

  it('keeps every worker evaluating through a store outage, each fetching for itself, then coordinates again', async () => {
    const reference = await referenceEvaluation()
    api = await start()
    fleet = new Fleet({
      ...settings(proxy().port),
      distDir: distDir!,
      apiUrl: api.url,
      pollingIntervalMs: INTERVAL_MS,
      maxAgeMs: INTERVAL_MS,
      leaseMs: 1500,
      timeoutMs: 1000,
    })
    const workers = 4
    await fleet.start(workers)
    await sleep(INTERVAL_MS * 2)

    await proxy().stop()
    const downIntervals = 6
    const beforeDown = api.requests()
    await sleep(INTERVAL_MS * downIntervals)
    const duringOutage = api.requests() - beforeDown
    const outageReports = await fleet.reports()
    expectHealthy(outageReports, reference)
    expect(outageReports.every((report) => (report.providerStats?.errors ?? 0) > 0)).toBe(true)
    // Without the store each worker fetches for itself: well above one request per interval.
    expect(duringOutage).toBeGreaterThan(downIntervals + 1)

    await proxy().start()
    await sleep(INTERVAL_MS * 4) // reconnect
    const upIntervals = 8
    const beforeUp = api.requests()
    await sleep(INTERVAL_MS * upIntervals)
    const afterRecovery = api.requests() - beforeUp
    expect(afterRecovery).toBeLessThanOrEqual(upIntervals + 1)
    expectHealthy(await fleet.reports(), reference)
  })
}
