import { Pool } from 'pg'
import { start } from '../../tools/posthog-stand-in.cjs'
import { DATABASE_URL, describeWith } from '../helpers/services'
import { Fleet, sleep } from './helpers/fleet'
import { useFleetRun } from './helpers/fleet-run'
import {
  expectCorrect,
  expectPushed,
  FAST_INTERVAL_MS,
  measureFlips,
  probeDefinitions,
  startSpread,
} from './helpers/freshness'
import { startPgBouncer } from './helpers/private-servers'
import { referenceEvaluation } from './helpers/reference'

describeWith('postgres', 'PostgresFlagDefinitionCache fleet when connections are cut or pooled', () => {
  const table = `test_fleet_cut_${process.pid}`
  let runs = 0
  afterAll(async () => {
    const pool = new Pool({ connectionString: DATABASE_URL })
    await pool.query(`DROP TABLE IF EXISTS ${table}`)
    await pool.end()
  })
  describe('when connections are cut or pooled', () => {
    const intervalMs = FAST_INTERVAL_MS
    const run = useFleetRun()
    const config = (databaseUrl: string) => ({
      provider: 'postgres' as const,
      databaseUrl,
      table,
      key: `fleet-pg-private-${runs++}`,
      distDir: run.distDir,
      apiUrl: run.api!.url,
      pollingIntervalMs: intervalMs,
      maxAgeMs: intervalMs,
      leaseMs: 1500,
      timeoutMs: 2000,
      watch: true,
      evaluateEveryMs: 200,
    })

    it("notifications resume after every one of the fleet's connections was terminated mid-run", async () => {
      // Only this fleet's sessions are cut (by application_name): other tests share the database.
      const applicationName = `posthog_fleet_cut_${process.pid}`
      const url = new URL(DATABASE_URL)
      url.searchParams.set('application_name', applicationName)
      const api = (run.api = await start({ definitions: probeDefinitions(false) }))
      const fleet = (run.fleet = new Fleet(config(url.toString())))
      const workers = await startSpread(fleet, 8, intervalMs)
      await measureFlips(api, workers, 1, intervalMs)
      const heardBefore = (await fleet.reports()).map((r) => r.clientStats.notificationsReceived)
      const admin = new Pool({ connectionString: DATABASE_URL, max: 1 })
      try {
        const { rows } = await admin.query(
          `SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity
           WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()`,
          [applicationName]
        )
        expect(rows.length).toBeGreaterThanOrEqual(8) // at least every worker's LISTEN connection
      } finally {
        await admin.end()
      }
      await sleep(intervalMs * 4) // the listeners reconnect (1 s back-off)
      const after = await measureFlips(api, workers, 3, intervalMs)
      expectPushed(after, intervalMs)
      const heardAfter = (await fleet.reports()).map((r) => r.clientStats.notificationsReceived)
      heardAfter.forEach((count, i) => expect(count).toBeGreaterThan(heardBefore[i]))
    })

    it('behind PgBouncer in transaction mode, LISTEN is found not to work, counted once, and the fleet polls', async () => {
      const bouncer = await startPgBouncer(DATABASE_URL)
      try {
        const api = (run.api = await start({ definitions: probeDefinitions(false) }))
        const fleet = (run.fleet = new Fleet(config(bouncer.url)))
        const workers = await startSpread(fleet, 4, intervalMs)
        await sleep(intervalMs * 6) // the probe gives up after timeoutMs
        const reports = await fleet.reports()
        for (const report of reports) expect(report.providerStats?.notificationsUnavailable).toBe(1)
        // Still one request per interval, and a change still arrives by polling.
        const before = api.requests()
        api.setDefinitions(probeDefinitions(true))
        const changedAt = Date.now()
        await sleep(intervalMs * 4)
        expect((api.requests() - before) / ((Date.now() - changedAt) / intervalMs)).toBeLessThanOrEqual(1.2)
        for (const worker of workers)
          expect(worker.values.some((v) => v.value === true && v.at >= changedAt)).toBe(true)
        expectCorrect(await fleet.reports(), await referenceEvaluation(probeDefinitions(true)))
      } finally {
        await run.stopFleet()
        await bouncer.stop()
      }
    })
  })
})
