import Redis from 'ioredis'
import { start } from '../../tools/posthog-stand-in.cjs'
import { describeWith, REDIS_URL } from '../helpers/services'
import { Fleet, sleep } from './helpers/fleet'
import { useFleetRun } from './helpers/fleet-run'
import { expectPushed, FAST_INTERVAL_MS, measureFlips, probeDefinitions, startSpread } from './helpers/freshness'
import { freePort, PrivateRedis, startRedisCluster } from './helpers/private-servers'

describeWith('redis', 'RedisFlagDefinitionCache fleet on servers that fail or shard', () => {
  // Pub/sub channels are global across logical databases: the prefix (and so the channel) is unique per run.
  const keyPrefix = `test:fleet:${process.pid}:`
  let runs = 0
  afterAll(async () => {
    const redis = new Redis(REDIS_URL)
    const keys = await redis.keys(`${keyPrefix}*`)
    if (keys.length) await redis.del(...keys)
    await redis.quit()
  })
  describe('on servers the test owns', () => {
    const intervalMs = FAST_INTERVAL_MS
    const run = useFleetRun()
    const config = (redis: { redisUrl?: string; redisCluster?: { host: string; port: number }[] }) => ({
      provider: 'redis' as const,
      ...redis,
      keyPrefix,
      key: `fleet-redis-private-${runs++}`,
      distDir: run.distDir,
      apiUrl: run.api!.url,
      pollingIntervalMs: intervalMs,
      maxAgeMs: intervalMs,
      leaseMs: 1500,
      timeoutMs: 2000,
      watch: true,
      evaluateEveryMs: 200,
    })

    it('on a Redis Cluster, changes are pushed to 8 workers as on a single server', async () => {
      const cluster = await startRedisCluster()
      try {
        const api = (run.api = await start({ definitions: probeDefinitions(false) }))
        const fleet = (run.fleet = new Fleet(config({ redisCluster: cluster.nodes })))
        const workers = await startSpread(fleet, 8, intervalMs)
        expectPushed(await measureFlips(api, workers, 3, intervalMs), intervalMs)
      } finally {
        await run.stopFleet()
        await cluster.stop()
      }
    })

    it('notifications resume after Redis restarts mid-run', async () => {
      const redis = new PrivateRedis(await freePort())
      await redis.start()
      try {
        const api = (run.api = await start({ definitions: probeDefinitions(false) }))
        const fleet = (run.fleet = new Fleet(config({ redisUrl: redis.url })))
        const workers = await startSpread(fleet, 8, intervalMs)
        await measureFlips(api, workers, 1, intervalMs)
        const heardBefore = (await fleet.reports()).map((r) => r.clientStats.notificationsReceived)
        await redis.restart() // empty again, and every connection was cut
        await sleep(intervalMs * 4) // reconnect
        const after = await measureFlips(api, workers, 3, intervalMs)
        expectPushed(after, intervalMs)
        const heardAfter = (await fleet.reports()).map((r) => r.clientStats.notificationsReceived)
        // Every worker heard notifications after the restart, not only polling.
        heardAfter.forEach((count, i) => expect(count).toBeGreaterThan(heardBefore[i]))
      } finally {
        await run.stopFleet()
        await redis.remove()
      }
    })
  })
})
