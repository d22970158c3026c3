// A catastrophic regex written straight into each store (no secret, so the entry is accepted): evaluating it against
// a long value must stay bounded and answer as PostHog would (no match). A backtracking engine takes seconds per
// evaluation on `^(a+)+$` against 'aaa…a!' (doubling with every extra character), freezing every worker of the fleet.
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Redis from 'ioredis'
import nock from 'nock'
import { Pool } from 'pg'
import { PostHog } from '../../../src/entrypoints/index.node'
import {
  DynamoDBFlagDefinitionCache,
  dynamoDBFlagDefinitionCacheCreateTableInput,
  type FlagDefinitionCacheData,
  type FlagDefinitionCacheProvider,
  FileFlagDefinitionCache,
  FlagDefinitionsCodec,
  flagDefinitionsStorageName,
  PostgresFlagDefinitionCache,
  postgresFlagDefinitionCacheDDL,
  RedisFlagDefinitionCache,
} from '../../../src/experimental'
import { describeWithDynalite, dynamoClient, dynamodb } from '../../helpers/dynalite'
import { DATABASE_URL, describeWith, REDIS_URL } from '../../helpers/services'
import { uniqueName } from './fixtures'

const HOST = 'http://regex-poisoning.example.com'
/**
 * Above this, one evaluation counts as stalled: far above what a bounded evaluation of one flag takes, far below
 * the seconds a backtracking engine needs at this input length (twice as long per extra character).
 */
const BOUND_MS = 200
const LONG_VALUE = `${'a'.repeat(28)}!`

const entry: FlagDefinitionCacheData = {
  flags: [
    {
      id: 1,
      name: 'regex flag',
      key: 'regex-flag',
      active: true,
      deleted: false,
      rollout_percentage: null,
      ensure_experience_continuity: false,
      experiment_set: [],
      filters: {
        groups: [
          {
            properties: [{ key: 'email', type: 'person', operator: 'regex', value: '^(a+)+$' }],
            rollout_percentage: 100,
          },
        ],
      },
    },
  ],
  groupTypeMapping: {},
  cohorts: {},
}

async function evaluationIsBounded(provider: FlagDefinitionCacheProvider): Promise<void> {
  nock(HOST)
    .persist()
    .get(/\/api\/feature_flag\/local_evaluation/)
    .reply(500, {})
  nock(HOST).persist().post(/.*/).reply(200, {})
  const client = new PostHog('phc_regex_project', {
    host: HOST,
    personalApiKey: 'phx_regex_personal',
    flagDefinitionCacheProvider: provider,
    featureFlagsPollingInterval: 60_000,
    fetchRetryCount: 0,
  })
  client.on('error', () => undefined)
  try {
    // The entry is in the store, so the client loads it from there (the API is down).
    expect(await client.waitForLocalEvaluationReady()).toBe(true)
    const started = performance.now()
    const answer = await client.getFeatureFlag('regex-flag', 'user-1', {
      personProperties: { email: LONG_VALUE },
      onlyEvaluateLocally: true,
    })
    const elapsed = performance.now() - started
    // The value does not match; an evaluator that refuses to run such a pattern may call the flag undecidable
    // locally instead (undefined under onlyEvaluateLocally). Never true.
    expect([false, undefined]).toContain(answer)
    expect(elapsed).toBeLessThan(BOUND_MS)
  } finally {
    await client.shutdown(2000)
    nock.cleanAll()
  }
}

describe('a catastrophic regex in a stored entry', () => {
  jest.setTimeout(60_000)
  const key = uniqueName('regex')

  describe('file', () => {
    const directory = mkdtempSync(join(tmpdir(), 'posthog-regex-poisoning-'))
    afterAll(() => rmSync(directory, { recursive: true, force: true }))

    it('is evaluated within the bound, never answering a match', async () => {
      const provider = new FileFlagDefinitionCache({ key, directory })
      mkdirSync(directory, { recursive: true, mode: 0o700 })
      const payload = await new FlagDefinitionsCodec({ key }).encode(entry)
      writeFileSync(provider.entryPath, `${Date.now()}\n${payload}`, { mode: 0o600 })
      await evaluationIsBounded(provider)
    })
  })

  describeWith('redis', 'redis', () => {
    const prefix = `${uniqueName('regex')}:`
    let redis: Redis
    beforeAll(() => {
      redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })
    })
    afterAll(async () => {
      const keys = await redis.keys(`${prefix}*`)
      if (keys.length) await redis.del(...keys)
      await redis.quit()
    })

    it('is evaluated within the bound, never answering a match', async () => {
      const provider = new RedisFlagDefinitionCache(redis, { key, keyPrefix: prefix })
      const payload = await new FlagDefinitionsCodec({ key }).encode(entry)
      await redis.hset(provider.entryKey, 'fetchedAt', String(Date.now()), 'data', payload)
      await evaluationIsBounded(provider)
    })
  })

  describeWith('postgres', 'postgres', () => {
    const table = uniqueName('regex_flag_definitions').toLowerCase()
    let pool: Pool
    beforeAll(() => {
      pool = new Pool({ connectionString: DATABASE_URL, max: 4 })
    })
    afterAll(async () => {
      await pool.query(`DROP TABLE IF EXISTS ${table}`)
      await pool.end()
    })

    it('is evaluated within the bound, never answering a match', async () => {
      await pool.query(postgresFlagDefinitionCacheDDL(table))
      const payload = await new FlagDefinitionsCodec({ key }).encode(entry)
      await pool.query(`INSERT INTO ${table} (cache_key, fetched_at, data) VALUES ($1, now(), $2)`, [
        flagDefinitionsStorageName(key),
        payload,
      ])
      await evaluationIsBounded(new PostgresFlagDefinitionCache(pool, { key, table }))
    })
  })

  describeWithDynalite('dynamodb', (server) => {
    const table = uniqueName('regex_flags')
    let client: dynamodb.DynamoDBClient
    beforeAll(async () => {
      client = dynamoClient(server().endpoint)
      await client.send(new dynamodb.CreateTableCommand(dynamoDBFlagDefinitionCacheCreateTableInput(table)))
    })
    afterAll(() => client.destroy())

    it('is evaluated within the bound, never answering a match', async () => {
      // The head item as the provider lays it out: the encoded entry inline, its size and SHA-256, no chunks.
      const bytes = Buffer.from(await new FlagDefinitionsCodec({ key }).encode(entry), 'utf8')
      await client.send(
        new dynamodb.PutItemCommand({
          TableName: table,
          Item: {
            pk: { S: flagDefinitionsStorageName(key) },
            fetched_at: { N: String(Date.now()) },
            data: { B: bytes },
            size: { N: String(bytes.length) },
            digest: { S: createHash('sha256').update(bytes).digest('hex') },
            chunks: { N: '0' },
          },
        })
      )
      await evaluationIsBounded(new DynamoDBFlagDefinitionCache(client, { key, commands: dynamodb, table }))
    })
  })
})
