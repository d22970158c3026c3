// One worker process of the multi-process tests: a PostHog client from the BUILT package (a copy of dist/) with one of the
// shipped providers, evaluating flags in a loop against the PostHog stand-in. It reports over IPC:
//   { type: 'ready', firstFlag, ownRequestsBeforeFirstFlag, source }   after its first evaluation
//   { type: 'lease', calledAt }             when a shouldFetchFlagDefinitions() call (started at calledAt) said true
//   { type: 'report', ... }                 in answer to { type: 'report' }
//   { type: 'value', value, at }            with `watch`: each change of new-checkout for probe-user, and when it was seen
// and exits after { type: 'stop' } (client.shutdown(), then closing its own Redis client / pg pool / DynamoDB client).
'use strict'
const path = require('node:path')

const config = JSON.parse(process.argv[2])
// A private copy of dist/ (see helpers/build.ts).
const { PostHog } = require(path.join(config.distDir, 'entrypoints', 'index.node.js'))
const experimental = require(path.join(config.distDir, 'experimental.js'))
const PEOPLE = Array.from({ length: 10 }, (_, i) => ({
  id: `user-${i}`,
  properties: { email: i % 2 === 0 ? `user-${i}@example.com` : `user-${i}@other.org`, sessions_last_week: i * 3 },
}))

let ownDefinitionsRequests = 0
const countingFetch = (url, options) => {
  if (String(url).includes('/api/feature_flag/local_evaluation')) {
    ownDefinitionsRequests++
  }
  return fetch(url, options)
}

const closers = []
function makeProvider() {
  const common = {
    key: config.key,
    maxAgeMs: config.maxAgeMs,
    leaseMs: config.leaseMs,
    timeoutMs: config.timeoutMs,
    secret: config.secret,
    logger: { warn: () => undefined },
  }
  switch (config.provider) {
    case 'redis': {
      const Redis = require('ioredis')
      const redisOptions = {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        retryStrategy: () => 100,
        connectTimeout: 1000,
      }
      const redis = config.redisCluster
        ? new Redis.Cluster(config.redisCluster, {
            redisOptions,
            enableOfflineQueue: false,
            clusterRetryStrategy: () => 100,
          })
        : new Redis(config.redisUrl, redisOptions)
      redis.on('error', () => undefined)
      closers.push(() => redis.quit().catch(() => redis.disconnect()))
      return new experimental.RedisFlagDefinitionCache(redis, { ...common, keyPrefix: config.keyPrefix })
    }
    case 'postgres': {
      const { Pool } = require('pg')
      const pool = new Pool({ connectionString: config.databaseUrl, max: 2, connectionTimeoutMillis: 1000 })
      pool.on('error', () => undefined) // a dropped idle connection must not crash the worker
      closers.push(() => pool.end())
      return new experimental.PostgresFlagDefinitionCache(pool, { ...common, table: config.table })
    }
    case 'dynamodb': {
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true' // a future-Node notice, not ours
      const dynamodb = require('@aws-sdk/client-dynamodb')
      const dynamo = new dynamodb.DynamoDBClient({
        endpoint: config.dynamoEndpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 2,
      })
      closers.push(() => dynamo.destroy())
      return new experimental.DynamoDBFlagDefinitionCache(dynamo, {
        ...common,
        commands: dynamodb,
        table: config.table,
      })
    }
    case 'file':
      return new experimental.FileFlagDefinitionCache({ ...common, directory: config.directory })
    default:
      return undefined
  }
}

const provider = makeProvider()
if (provider) {
  // Tells the test when this worker started a shouldFetch call that won the lease: the lease cannot expire earlier
  // than leaseMs after that moment.
  const shouldFetch = provider.shouldFetchFlagDefinitions.bind(provider)
  provider.shouldFetchFlagDefinitions = async () => {
    const calledAt = Date.now()
    const answer = await shouldFetch()
    if (answer) process.send({ type: 'lease', calledAt })
    return answer
  }
}
const client = new PostHog('phc_multiprocess_test', {
  host: config.apiUrl,
  personalApiKey: config.personalApiKey ?? 'phx_multiprocess_test',
  featureFlagsPollingInterval: config.pollingIntervalMs,
  requestTimeout: config.requestTimeoutMs ?? 10000,
  flagDefinitionCacheProvider: provider,
  fetch: countingFetch,
  flushAt: 1000,
  flushInterval: 60000,
})
let clientErrors = 0
client.on('error', () => clientErrors++)

let rounds = 0
let exceptions = []
let lastResult
let stopped = false

async function evaluateAll() {
  const result = {}
  for (const person of PEOPLE) {
    result[person.id] = await client.getAllFlags(person.id, {
      personProperties: person.properties,
      onlyEvaluateLocally: true,
    })
  }
  return result
}

async function loop() {
  while (!stopped) {
    try {
      lastResult = await evaluateAll()
      rounds++
    } catch (error) {
      exceptions.push(String(error && error.stack ? error.stack : error))
    }
    await new Promise((resolve) => setTimeout(resolve, config.evaluateEveryMs ?? 50))
  }
}

// A tight loop on one flag and one user, so the test sees within milliseconds when this worker answers a change.
async function watch() {
  let last
  while (!stopped) {
    const value = await client.getFeatureFlag('new-checkout', 'probe-user', {
      onlyEvaluateLocally: true,
      sendFeatureFlagEvents: false,
    })
    if (value !== last) {
      last = value
      process.send({ type: 'value', value, at: Date.now() })
    }
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

async function main() {
  const person = PEOPLE[0]
  const firstFlag = await client.getFeatureFlag('beta-dashboard', person.id, {
    personProperties: person.properties,
    onlyEvaluateLocally: true,
    sendFeatureFlagEvents: false,
  })
  const stats = client.getFlagDefinitionsStats()
  process.send({
    type: 'ready',
    firstFlag,
    ownRequestsBeforeFirstFlag: ownDefinitionsRequests,
    source: stats && stats.lastLoadSource,
  })
  loop()
  if (config.watch) watch()
}

process.on('message', async (message) => {
  if (message.type === 'report') {
    process.send({
      type: 'report',
      rounds,
      exceptions,
      lastResult,
      ownDefinitionsRequests,
      clientErrors,
      clientStats: client.getFlagDefinitionsStats(),
      providerStats: provider ? provider.getStats() : undefined,
    })
  } else if (message.type === 'stop') {
    stopped = true
    await client.shutdown()
    for (const close of closers) await close()
    process.exit(0)
  }
})

main().catch((error) => {
  process.send({ type: 'fatal', error: String(error && error.stack ? error.stack : error) })
  process.exit(1)
})
