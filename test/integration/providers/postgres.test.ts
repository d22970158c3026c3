import { Client, Pool } from 'pg'
import {
  flagDefinitionsStorageName,
  PostgresFlagDefinitionCache,
  type PostgresPoolLike,
  postgresFlagDefinitionCacheDDL,
} from '../../../src/experimental'
import { DATABASE_URL, describeWith } from '../../helpers/services'
import { failFastContract, type ProviderHarness, providerContract } from './contract'
import { poisoningContract } from './poisoning'
import { RecordingLogger, sampleDefinitions, uniqueName } from './fixtures'
import { blackHole, type BlackHole, closedPort } from './net-helpers'

describeWith('postgres', 'PostgresFlagDefinitionCache', () => {
  const table = uniqueName('test_flag_definitions').toLowerCase()
  const createdTables = [table]
  let pool: Pool

  beforeAll(() => {
    pool = new Pool({ connectionString: DATABASE_URL, max: 10 })
  })
  afterAll(async () => {
    for (const name of createdTables) await pool.query(`DROP TABLE IF EXISTS ${name}`)
    await pool.end()
  })

  const harness: ProviderHarness = {
    make: (options) => new PostgresFlagDefinitionCache(pool, { table, ...options }),
    writeRawEntry: async (key, payload) => {
      await pool.query(postgresFlagDefinitionCacheDDL(table))
      await pool.query(
        `INSERT INTO ${table} (cache_key, fetched_at, data) VALUES ($1, now(), $2)
         ON CONFLICT (cache_key) DO UPDATE SET fetched_at = now(), data = $2`,
        [flagDefinitionsStorageName(key), payload]
      )
    },
    dump: async () => JSON.stringify((await pool.query(`SELECT * FROM ${table}`)).rows),
  }
  describe('contract', () => providerContract(() => harness))
  describe('poisoned entries', () => poisoningContract(() => harness))

  it('creates its table on first use, once, even when many instances race to do it', async () => {
    const racing = uniqueName('race_table').toLowerCase()
    createdTables.push(racing)
    const logger = new RecordingLogger()
    const providers = Array.from(
      { length: 8 },
      () => new PostgresFlagDefinitionCache(pool, { table: racing, key: 'k', logger, timeoutMs: 10_000 })
    )
    const answers = await Promise.all(providers.map((p) => p.shouldFetchFlagDefinitions()))
    expect(logger.warnings).toEqual([])
    expect(answers.filter(Boolean)).toHaveLength(1)
    const { rows } = await pool.query('SELECT to_regclass($1) IS NOT NULL AS present', [racing])
    expect(rows[0].present).toBe(true)
  })

  it('treats "type already exists" from a concurrent CREATE TABLE as the table being there', async () => {
    // Two sessions creating the same table at once: the loser may get 42710 (its row type exists) rather than 42P07.
    const racing = uniqueName('race_type').toLowerCase()
    createdTables.push(racing)
    const losing = {
      query: async (config: { text: string; values: unknown[]; query_timeout?: number }) => {
        if (!config.text.startsWith('CREATE TABLE')) return pool.query(config)
        await pool.query(config)
        throw Object.assign(new Error(`type "${racing}" already exists`), { code: '42710' })
      },
    }
    const logger = new RecordingLogger()
    const provider = new PostgresFlagDefinitionCache(losing, { table: racing, key: 'k', logger, timeoutMs: 10_000 })
    expect(await provider.shouldFetchFlagDefinitions()).toBe(true)
    expect(logger.warnings).toEqual([])
    expect(provider.getStats().leasesTaken).toBe(1)
  })

  it('uses a schema-qualified table and the documented DDL', async () => {
    const schema = uniqueName('s').toLowerCase()
    await pool.query(`CREATE SCHEMA ${schema}`)
    try {
      const qualified = `${schema}.flag_definitions`
      await pool.query(postgresFlagDefinitionCacheDDL(qualified))
      const provider = new PostgresFlagDefinitionCache(pool, { table: qualified, key: 'k', createTable: false })
      expect(await provider.shouldFetchFlagDefinitions()).toBe(true)
      await provider.onFlagDefinitionsReceived(sampleDefinitions())
      expect(await provider.getFlagDefinitions()).toEqual(sampleDefinitions())
    } finally {
      await pool.query(`DROP SCHEMA ${schema} CASCADE`)
    }
  })

  it('stores the key only as a hash, with fetched_at from the database clock', async () => {
    const key = 'phc_project_key_in_clear'
    const provider = new PostgresFlagDefinitionCache(pool, { table, key })
    await provider.shouldFetchFlagDefinitions()
    await provider.onFlagDefinitionsReceived(sampleDefinitions())
    const { rows } = await pool.query(`SELECT *, now() - fetched_at AS age FROM ${table} WHERE cache_key = $1`, [
      flagDefinitionsStorageName(key),
    ])
    expect(rows).toHaveLength(1)
    expect(JSON.stringify(rows)).not.toContain(key)
    expect(rows[0]).toMatchObject({ schema_version: 2, lease_owner: null })
  })

  it.each([
    ['a quote', 'flags"; DROP TABLE x; --'],
    ['a space', 'my table'],
    ['three parts', 'a.b.c'],
    ['a leading digit', '1table'],
    ['an empty name', ''],
    ['64 characters', 'a'.repeat(64)],
  ])('rejects a table name with %s', (_label, name) => {
    expect(() => new PostgresFlagDefinitionCache(pool, { key: 'k', table: name })).toThrow(
      /options.table must be an identifier/
    )
  })

  it('says what to run when the role may not create the table: names the table, prints the DDL, mentions createTable: false', async () => {
    // A schema no application role may create tables in stands in for a database without the CREATE privilege.
    const logger = new RecordingLogger()
    const provider = new PostgresFlagDefinitionCache(pool, {
      key: 'k',
      table: 'information_schema.posthog_flag_definitions',
      logger,
      timeoutMs: 10_000,
    })
    expect(await provider.shouldFetchFlagDefinitions()).toBe(true)
    expect(await provider.getFlagDefinitions()).toBeUndefined()
    const message = logger.warnings.join('\n')
    expect(message).toContain('"information_schema"."posthog_flag_definitions"')
    expect(message).toContain(postgresFlagDefinitionCacheDDL('information_schema.posthog_flag_definitions'))
    expect(message).toContain('createTable: false')
    expect(message).toContain('GRANT SELECT, INSERT, UPDATE')
    expect(message).not.toMatch(/could not reach/)
  })

  it('refuses a pg Client (it is never reconnected) at construction, asking for a Pool', () => {
    // The types refuse a Client too (its connect() yields no releasable client); JavaScript callers get this message.
    const client = new Client({ connectionString: DATABASE_URL }) as unknown as PostgresPoolLike
    expect(() => new PostgresFlagDefinitionCache(client, { key: 'k' })).toThrow(
      /the first argument is a pg Client .*pass a pg Pool/
    )
  })

  it('never ends the pool it was given', async () => {
    const provider = new PostgresFlagDefinitionCache(pool, { table, key: uniqueName('end') })
    await provider.shouldFetchFlagDefinitions()
    await provider.shutdown()
    expect((await pool.query('SELECT 1 AS one')).rows[0].one).toBe(1)
  })

  describe('when PostgreSQL is unreachable', () => {
    const pools: Pool[] = []
    let hole: BlackHole
    let port = 0
    beforeAll(async () => {
      hole = await blackHole()
      port = await closedPort()
    })
    afterAll(async () => {
      await hole.close()
      await Promise.all(pools.map((p) => p.end().catch(() => undefined)))
    })
    const unreachable = (targetPort: () => number) => (logger: RecordingLogger) => {
      const p = new Pool({ host: '127.0.0.1', port: targetPort(), user: 'x', password: 'x', database: 'x' })
      p.on('error', () => undefined)
      pools.push(p)
      return new PostgresFlagDefinitionCache(p, { table, key: 'k', timeoutMs: 300, logger })
    }
    failFastContract(
      'a closed port',
      unreachable(() => port)
    )
    failFastContract(
      'a server that never answers (pool without connection timeout)',
      unreachable(() => hole.port)
    )
  })
})
