// The 16-worker fleet specs of every shipped provider, in one file so that jest runs them one after the other:
// two 16-process fleets at once on a 2-core machine would measure the scheduler, not the providers.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Redis from 'ioredis'
import { Pool } from 'pg'
import { dynamoDBFlagDefinitionCacheCreateTableInput } from '../../src/experimental'
import { describeWithDynalite, dynamoClient, dynamodb } from '../helpers/dynalite'
import { DATABASE_URL, describeWith, REDIS_URL } from '../helpers/services'
import { freshnessScenarios } from './helpers/freshness'

describe('FileFlagDefinitionCache fleet: push and the shared ETag', () => {
  const directory = mkdtempSync(join(tmpdir(), 'posthog-multiprocess-fleet-file-'))
  let run = 0
  afterAll(() => rmSync(directory, { recursive: true, force: true }))
  freshnessScenarios(() => ({ provider: 'file', key: `fleet-file-${process.pid}-${run++}`, directory }))
})

describeWith('redis', 'RedisFlagDefinitionCache fleet: push and the shared ETag', () => {
  // Pub/sub channels are global across logical databases: the prefix (and so the channel) is unique per run.
  const keyPrefix = `test:fleet:${process.pid}:`
  let run = 0
  afterAll(async () => {
    const redis = new Redis(REDIS_URL)
    const keys = await redis.keys(`${keyPrefix}*`)
    if (keys.length) await redis.del(...keys)
    await redis.quit()
  })
  freshnessScenarios(() => ({ provider: 'redis', redisUrl: REDIS_URL, keyPrefix, key: `fleet-redis-${run++}` }))
})

describeWith('postgres', 'PostgresFlagDefinitionCache fleet: push and the shared ETag', () => {
  const table = `test_fleet_${process.pid}`
  let run = 0
  afterAll(async () => {
    const pool = new Pool({ connectionString: DATABASE_URL })
    await pool.query(`DROP TABLE IF EXISTS ${table}`)
    await pool.end()
  })
  freshnessScenarios(() => ({ provider: 'postgres', databaseUrl: DATABASE_URL, table, key: `fleet-pg-${run++}` }))
})

// No push: followers see a change at their next poll (up to about two intervals), so only the ETag spec runs here.
describeWithDynalite('DynamoDBFlagDefinitionCache fleet: the shared ETag', (server) => {
  const table = `test_fleet_${process.pid}`
  let run = 0
  beforeAll(async () => {
    const client = dynamoClient(server().endpoint)
    await client.send(new dynamodb.CreateTableCommand(dynamoDBFlagDefinitionCacheCreateTableInput(table)))
    client.destroy()
  })
  freshnessScenarios(
    () => ({ provider: 'dynamodb', dynamoEndpoint: server().endpoint, table, key: `fleet-dynamodb-${run++}` }),
    16,
    { push: false }
  )
})
