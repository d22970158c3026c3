// Storage benchmark: bytes each shipped provider stores (DynamoDB on dynalite) for a 2,000-flag definition set, with and without gzip, and
// the time one getFlagDefinitions() takes to read it back (store round trip, inflate, HMAC check, JSON parse and
// validation). `runStorageBench()` returns the rows and prints a table; run directly, this file does just that.
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, serverProblem } from '../examples/fleet-lib.mjs'

const require = createRequire(import.meta.url)
const {
  DynamoDBFlagDefinitionCache,
  dynamoDBFlagDefinitionCacheCreateTableInput,
  FileFlagDefinitionCache,
  flagDefinitionsStorageName,
  PostgresFlagDefinitionCache,
  RedisFlagDefinitionCache,
} = require(process.env.BENCH_DIST_EXPERIMENTAL ?? '../dist/experimental.js')

const FLAGS = Number(process.env.BENCH_STORAGE_FLAGS ?? 2000)
const READS = Number(process.env.BENCH_STORAGE_READS ?? 15)
const OPERATORS = ['exact', 'icontains', 'regex', 'gt', 'is_set', 'is_date_before']

/** A definition set shaped like a real project's: conditions, rollouts, variants, payloads, a few cohorts. */
export function definitionSet(flags = FLAGS) {
  return {
    flags: Array.from({ length: flags }, (_, i) => ({
      id: i + 1,
      name: `Flag ${i}: rollout of feature ${i} to ${i % 3 === 0 ? 'beta users' : 'everyone in the target plan'}`,
      key: `feature-${i}-${i % 7 === 0 ? 'experiment' : 'rollout'}`,
      active: i % 11 !== 0,
      deleted: false,
      rollout_percentage: null,
      ensure_experience_continuity: false,
      experiment_set: [],
      filters: {
        groups: Array.from({ length: 1 + (i % 3) }, (_, g) => ({
          properties: Array.from({ length: 1 + ((i + g) % 3) }, (_, p) => ({
            key: ['email', 'plan', 'country', 'signup_date', 'seats'][(i + g + p) % 5],
            type: 'person',
            operator: OPERATORS[(i + p) % OPERATORS.length],
            value: (i + p) % 2 === 0 ? [`value-${i}-${p}`, `other-${g}`] : `@customer-${i % 50}.example.com`,
          })),
          rollout_percentage: (i * 7 + g * 13) % 101,
        })),
        ...(i % 7 === 0
          ? {
              multivariate: {
                variants: [
                  { key: 'control', rollout_percentage: 50 },
                  { key: 'test', rollout_percentage: 50 },
                ],
              },
              payloads: { control: '{"color":"blue"}', test: '{"color":"green","copy":"Try the new flow"}' },
            }
          : {}),
      },
    })),
    groupTypeMapping: { 0: 'company', 1: 'team' },
    cohorts: Object.fromEntries(
      Array.from({ length: 20 }, (_, c) => [
        String(c + 1),
        { type: 'AND', values: [{ key: 'plan', type: 'person', operator: 'exact', value: [`plan-${c}`] }] },
      ])
    ),
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/** Stores the set with each compress setting and measures it, for one provider. */
async function measure(label, make, storedBytes, data) {
  const rows = []
  for (const compress of [false, 'gzip']) {
    const key = `bench-storage-${process.pid}-${label}-${compress || 'none'}`
    const provider = make({ key, compress, secret: 'bench secret', logger: { warn: (m) => console.warn(m) } })
    await provider.onFlagDefinitionsReceived(data)
    const times = []
    for (let i = 0; i < READS; i++) {
      const started = performance.now()
      const read = await provider.getFlagDefinitions()
      times.push(performance.now() - started)
      if (read?.flags.length !== data.flags.length) throw new Error(`${label}: the read did not return the set`)
    }
    rows.push({
      provider: label,
      compress: compress || 'none',
      storedBytes: await storedBytes(provider, key),
      readMs: Number(median(times).toFixed(1)),
    })
    await provider.shutdown()
  }
  return rows
}

/** DynamoDB on dynalite (in memory, on 127.0.0.1): the bytes are the payload in the head item plus its chunks. */
async function measureDynamoDB(data) {
  let dynalite
  try {
    dynalite = require('dynalite')
  } catch (error) {
    console.log(`storage: skipping DynamoDB: dynalite is not installed (${error.message.split('\n')[0]})`)
    return []
  }
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  const dynamodb = await import('@aws-sdk/client-dynamodb')
  const server = dynalite({ createTableMs: 0 })
  await new Promise((resolve, reject) => server.listen(0, '127.0.0.1', (error) => (error ? reject(error) : resolve())))
  const client = new dynamodb.DynamoDBClient({
    endpoint: `http://127.0.0.1:${server.address().port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  })
  const table = 'posthog_flag_definitions'
  try {
    await client.send(new dynamodb.CreateTableCommand(dynamoDBFlagDefinitionCacheCreateTableInput(table)))
    return await measure(
      'dynamodb',
      (options) => new DynamoDBFlagDefinitionCache(client, { ...options, commands: dynamodb, table }),
      async (_provider, key) => {
        const { Item } = await client.send(
          new dynamodb.GetItemCommand({
            TableName: table,
            Key: { pk: { S: flagDefinitionsStorageName(key) } },
            ConsistentRead: true,
          })
        )
        return Number(Item.size.N)
      },
      data
    )
  } finally {
    client.destroy()
    await new Promise((resolve) => server.close(resolve))
  }
}

/** Runs the storage benchmark for every provider whose server is reachable; returns the rows and prints them. */
export async function runStorageBench({
  redisUrl = DEFAULT_REDIS_URL,
  databaseUrl = DEFAULT_DATABASE_URL,
  flags = FLAGS,
} = {}) {
  const data = definitionSet(flags)
  const jsonBytes = Buffer.byteLength(JSON.stringify(data))
  const rows = []

  const directory = mkdtempSync(join(tmpdir(), 'posthog-bench-storage-'))
  try {
    rows.push(
      ...(await measure(
        'file',
        (options) => new FileFlagDefinitionCache({ ...options, directory }),
        (provider) => statSync(provider.entryPath).size,
        data
      ))
    )
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }

  const redisProblem = await serverProblem('redis', { redisUrl })
  if (redisProblem) console.log(`storage: skipping Redis: ${redisProblem}`)
  else {
    const { default: Redis } = await import('ioredis')
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 })
    const prefix = `bench-storage-${process.pid}:`
    try {
      rows.push(
        ...(await measure(
          'redis',
          (options) => new RedisFlagDefinitionCache(redis, { ...options, keyPrefix: prefix }),
          (provider) => redis.hstrlen(provider.entryKey, 'data'),
          data
        ))
      )
    } finally {
      const keys = await redis.keys(`${prefix}*`)
      if (keys.length) await redis.del(...keys)
      await redis.quit()
    }
  }

  const postgresProblem = await serverProblem('postgres', { databaseUrl })
  if (postgresProblem) console.log(`storage: skipping PostgreSQL: ${postgresProblem}`)
  else {
    const { default: pg } = await import('pg')
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 })
    pool.on('error', () => undefined)
    const table = `bench_storage_${process.pid}`
    try {
      rows.push(
        ...(await measure(
          'postgres',
          (options) => new PostgresFlagDefinitionCache(pool, { ...options, table }),
          async (_provider, key) =>
            Number(
              (
                await pool.query(`SELECT octet_length(data) AS bytes FROM ${table} WHERE cache_key = $1`, [
                  flagDefinitionsStorageName(key),
                ])
              ).rows[0].bytes
            ),
          data
        ))
      )
    } finally {
      await pool.query(`DROP TABLE IF EXISTS ${table}`)
      await pool.end()
    }
  }

  rows.push(...(await measureDynamoDB(data)))

  console.log(
    `\nStored entry of ${flags} flags (${jsonBytes} bytes of JSON), with a secret; read = getFlagDefinitions()`
  )
  console.log(['provider', 'compress', 'stored bytes', 'of JSON', 'read ms (median)'].join('\t'))
  for (const row of rows) {
    const share = `${Math.round((row.storedBytes / jsonBytes) * 100)}%`
    console.log([row.provider, row.compress, row.storedBytes, share, row.readMs].join('\t'))
  }
  return rows
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runStorageBench()
