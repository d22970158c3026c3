// One worker of the fleet benchmark: either the real upstream posthog-node 5.13.2 or this package, with or without
// a provider, evaluating one flag for one user every few milliseconds. It reports each change of the answer (and
// when it saw it) to the parent, which flips the flag on the stand-in and measures how long the fleet takes to see it.
const config = JSON.parse(process.env.BENCH_WORKER_CONFIG)

const { PostHog } = config.package === 'upstream' ? await import('posthog-node-upstream') : await import('posthog-node')

const closers = []
async function makeProvider() {
  if (config.provider === 'none') return undefined
  const experimental = await import('posthog-node/experimental')
  const shared = { key: config.projectKey, maxAgeMs: config.maxAgeMs, logger: { warn: () => undefined } }
  if (config.provider === 'file')
    return new experimental.FileFlagDefinitionCache({ ...shared, directory: config.directory })
  if (config.provider === 'redis' || config.provider === 'docs-lock') {
    const { default: Redis } = await import('ioredis')
    const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1 })
    closers.push(() => redis.quit())
    if (config.provider === 'docs-lock') {
      const { DocsLockRedisCache } = await import('../examples/docs-lock-provider.mjs')
      return new DocsLockRedisCache(redis, config.redisPrefix)
    }
    return new experimental.RedisFlagDefinitionCache(redis, { ...shared, keyPrefix: config.redisPrefix })
  }
  if (config.provider === 'postgres') {
    const { default: pg } = await import('pg')
    const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 3 })
    pool.on('error', () => undefined)
    closers.push(() => pool.end())
    return new experimental.PostgresFlagDefinitionCache(pool, { ...shared, table: config.pgTable })
  }
  throw new Error(`unknown provider ${config.provider}`)
}

const provider = await makeProvider()
const posthog = new PostHog(config.projectKey, {
  host: config.host,
  personalApiKey: `phx_bench_${config.index}`,
  featureFlagsPollingInterval: config.intervalMs,
  ...(provider ? { flagDefinitionCacheProvider: provider } : {}),
  flushAt: 1000,
  flushInterval: 60_000,
})
posthog.on('error', () => undefined)

let running = true
process.on('message', (message) => {
  if (message === 'stop') running = false
})

let last
while (running) {
  const value = await posthog.getFeatureFlag('new-checkout', 'probe-user', {
    onlyEvaluateLocally: true,
    sendFeatureFlagEvents: false,
  })
  if (value !== last) {
    last = value
    process.send({ type: 'value', value, at: Date.now() })
  }
  await new Promise((resolve) => setTimeout(resolve, 5))
}

await posthog.shutdown(2000)
for (const close of closers) await close().catch(() => undefined)
process.send({ type: 'done' }, () => process.exit(0))
