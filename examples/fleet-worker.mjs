// One worker of the fleet: an ordinary posthog-node user. It imports the package by its name (Node resolves a
// package's own name to itself), evaluates flags for a stream of users and reports to the parent once a second.
import { PostHog } from 'posthog-node'
import {
  FileFlagDefinitionCache,
  PostgresFlagDefinitionCache,
  RedisFlagDefinitionCache,
} from 'posthog-node/experimental'

const config = JSON.parse(process.env.FLEET_WORKER_CONFIG)

async function makeProvider() {
  const shared = { key: config.projectKey, maxAgeMs: config.intervalMs }
  switch (config.provider) {
    case 'file':
      return { provider: new FileFlagDefinitionCache({ ...shared, directory: config.directory }) }
    case 'redis':
    case 'docs-lock': {
      const { default: Redis } = await import('ioredis')
      const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1 })
      const provider =
        config.provider === 'redis'
          ? new RedisFlagDefinitionCache(redis, { ...shared, keyPrefix: config.redisPrefix })
          : new (await import('./docs-lock-provider.mjs')).DocsLockRedisCache(redis, config.redisPrefix)
      return { provider, close: () => redis.quit() }
    }
    case 'postgres': {
      const { default: pg } = await import('pg')
      const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 })
      pool.on('error', () => {}) // an idle connection dropped by the server must not crash the worker
      return {
        provider: new PostgresFlagDefinitionCache(pool, { ...shared, table: config.pgTable }),
        close: () => pool.end(),
      }
    }
    default:
      return { provider: undefined }
  }
}

const { provider, close } = await makeProvider()
const constructedAt = performance.now()
const posthog = new PostHog(config.projectKey, {
  host: config.host,
  personalApiKey: config.personalKey,
  featureFlagsPollingInterval: config.intervalMs,
  flagDefinitionCacheProvider: provider,
})
posthog.on('error', (error) => process.send({ type: 'error', message: String(error?.message ?? error) }))

let running = true
let evaluations = 0
let enabled = 0
let firstFlagMs
let firstFlagSource
process.on('message', (message) => {
  if (message === 'stop') running = false
})

const report = setInterval(() => {
  const stats = posthog.getFlagDefinitionsStats()
  process.send({ type: 'tick', evaluations, enabled, stats, firstFlagMs, firstFlagSource })
  evaluations = 0
  enabled = 0
}, 1000)

let user = 0
while (running) {
  const distinctId = `user-${config.index}-${user++}`
  const value = await posthog.getFeatureFlag('new-checkout', distinctId, {
    personProperties: { email: `${distinctId}@example.com` },
    onlyEvaluateLocally: true,
    sendFeatureFlagEvents: false,
  })
  if (firstFlagMs === undefined && value !== undefined) {
    // From construction to the first answer: what a cold start costs this worker.
    firstFlagMs = performance.now() - constructedAt
    firstFlagSource = posthog.getFlagDefinitionsStats()?.lastLoadSource
    process.send({ type: 'first-flag', firstFlagMs, firstFlagSource })
  }
  evaluations++
  if (value === true) enabled++
  // Yield to timers and I/O like a real server between requests.
  if (user % config.batch === 0) await new Promise((resolve) => setTimeout(resolve, config.pauseMs))
}

clearInterval(report)
await posthog.shutdown()
await close?.()
process.send({ type: 'done', stats: posthog.getFlagDefinitionsStats() }, () => process.exit(0))
