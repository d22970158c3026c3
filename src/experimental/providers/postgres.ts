// PostgreSQL provider. Taking the lease is one INSERT ... ON CONFLICT DO UPDATE ... WHERE ... RETURNING statement:
// the row lock serialises concurrent callers and the WHERE clause is re-checked on the latest row version, so exactly
// one caller gets a row back. Times come from the database clock, so workers with skewed clocks agree on freshness.
import type { FlagDefinitionCacheData } from '../../contracts/provider'
import { LeasedFlagDefinitionCache } from './leased-provider'
import { type ResolvedSharedOptions, resolveSharedOptions, type SharedFlagDefinitionCacheOptions } from './options'
import { DEFAULT_POSTGRES_TABLE, postgresFlagDefinitionCacheDDL, quoteTableName } from './postgres-table'
import { LeasedDefinitionsCache, type LeaseOutcome, type LeaseStore, type ReadOutcome } from './shared-cache'
import { decodeStoredData, STORED_SCHEMA_VERSION } from './stored-entry'

/**
 * The part of a pg `Pool` the provider uses: `query` with a config object. Typed structurally so this package never
 * loads pg itself.
 *
 * @experimental May change in a minor version.
 */
export interface PostgresPoolLike {
  /** Runs one statement; `values` are bound parameters (the provider never splices values into SQL). */
  query(config: { text: string; values: unknown[]; query_timeout?: number }): Promise<{ rows: unknown[] }>
}

/**
 * Options of {@link PostgresFlagDefinitionCache}.
 *
 * @experimental May change in a minor version.
 */
export interface PostgresFlagDefinitionCacheOptions extends SharedFlagDefinitionCacheOptions {
  /** `table` or `schema.table`. Default `posthog_flag_definitions`. */
  table?: string
  /** Create the table on first use when it does not exist. Default true. */
  createTable?: boolean
}

const UNDEFINED_TABLE = '42P01'
// A concurrent CREATE TABLE won the race: the loser sees the relation (42P07), its row type (42710) or the catalog's
// unique index (23505) already taken.
const ALREADY_EXISTS = new Set(['42P07', '42710', '23505'])

/**
 * Shares flag definitions between processes through a PostgreSQL table, so that about one process per `maxAgeMs`
 * fetches them from PostHog.
 *
 * Pass your own pg `Pool`; the provider never ends it. Attach `pool.on('error', ...)` as pg requires, or an idle
 * connection dropped by the server crashes the process.
 *
 * @experimental May change in a minor version.
 */
export class PostgresFlagDefinitionCache extends LeasedFlagDefinitionCache {
  constructor(pool: PostgresPoolLike, options: PostgresFlagDefinitionCacheOptions) {
    const resolved = resolveSharedOptions('PostgresFlagDefinitionCache', options)
    if (!pool || typeof pool.query !== 'function') {
      throw new TypeError('PostgresFlagDefinitionCache: the first argument must be a pg Pool')
    }
    const table = options.table ?? DEFAULT_POSTGRES_TABLE
    const store = new PostgresLeaseStore(pool, resolved, table, options.createTable ?? true)
    super(new LeasedDefinitionsCache('PostgresFlagDefinitionCache', resolved, store))
  }
}

/** The four lease operations, one parameterised statement each. */
class PostgresLeaseStore implements LeaseStore {
  private readonly table: string
  private readonly cacheKey: string
  private tableReady: Promise<void> | undefined

  constructor(
    private readonly pool: PostgresPoolLike,
    private readonly options: ResolvedSharedOptions,
    private readonly tableName: string,
    private readonly createTable: boolean
  ) {
    this.table = quoteTableName(tableName)
    // The schema version is part of the row key: during a rolling upgrade to a package that stores another layout,
    // each version keeps its own row and lease instead of overwriting the other's every interval.
    this.cacheKey = `${options.keyHash}:v${STORED_SCHEMA_VERSION}`
  }

  async tryTakeLease(token: string): Promise<LeaseOutcome> {
    // One statement: the INSERT takes a missing or expired lease when the definitions are stale or absent; the outer
    // SELECT (which sees the row as it was before the statement) only says why not, for the counters.
    const { rows } = await this.query(
      `WITH attempt AS (
         INSERT INTO ${this.table} AS c (cache_key, lease_owner, lease_expires_at)
         VALUES ($1, $2, clock_timestamp() + $3::double precision * interval '1 millisecond')
         ON CONFLICT (cache_key) DO UPDATE
           SET lease_owner = EXCLUDED.lease_owner, lease_expires_at = EXCLUDED.lease_expires_at
           WHERE (c.lease_expires_at IS NULL OR c.lease_expires_at <= clock_timestamp())
             AND (c.fetched_at IS NULL OR c.schema_version IS DISTINCT FROM $5::integer
                  OR c.fetched_at > clock_timestamp()
                  OR c.fetched_at <= clock_timestamp() - $4::double precision * interval '1 millisecond')
         RETURNING 1
       )
       SELECT EXISTS (SELECT 1 FROM attempt) AS taken,
              EXISTS (SELECT 1 FROM ${this.table}
                      WHERE cache_key = $1 AND schema_version = $5::integer
                        AND fetched_at > clock_timestamp() - $4::double precision * interval '1 millisecond') AS fresh`,
      [this.cacheKey, token, this.options.leaseMs, this.options.maxAgeMs, STORED_SCHEMA_VERSION]
    )
    const row = rows[0] as { taken?: boolean; fresh?: boolean } | undefined
    return row?.taken ? 'taken' : row?.fresh ? 'fresh' : 'busy'
  }

  async readEntry(): Promise<ReadOutcome> {
    const { rows } = await this.query(`SELECT schema_version, data FROM ${this.table} WHERE cache_key = $1`, [
      this.cacheKey,
    ])
    const row = rows[0] as { schema_version: unknown; data: unknown } | undefined
    // A row with only a lease in it (nobody has stored definitions yet) is a miss too.
    if (!row || (row.schema_version === null && row.data === null)) return { found: false }
    return { found: true, ...decodeStoredData(row.schema_version, row.data) }
  }

  async writeEntry(data: FlagDefinitionCacheData, token: string | undefined): Promise<void> {
    // Stores and, in the same statement, clears the lease if this caller's token still owns it. A caller that does not
    // hold the lease (it lapsed, or it was never taken) stores only over a stale entry: a late write must not replace
    // the fresh copy of the process that holds the lease now.
    await this.query(
      `INSERT INTO ${this.table} AS c (cache_key, schema_version, fetched_at, data)
       VALUES ($1, $2::integer, clock_timestamp(), $3)
       ON CONFLICT (cache_key) DO UPDATE
         SET schema_version = EXCLUDED.schema_version, fetched_at = EXCLUDED.fetched_at, data = EXCLUDED.data,
             lease_owner = CASE WHEN c.lease_owner = $4 THEN NULL ELSE c.lease_owner END,
             lease_expires_at = CASE WHEN c.lease_owner = $4 THEN NULL ELSE c.lease_expires_at END
         WHERE c.lease_owner IS NOT DISTINCT FROM $4::text AND $4::text IS NOT NULL
            OR c.fetched_at IS NULL OR c.schema_version IS DISTINCT FROM $2::integer
            OR c.fetched_at > clock_timestamp()
            OR c.fetched_at <= clock_timestamp() - $5::double precision * interval '1 millisecond'`,
      [this.cacheKey, STORED_SCHEMA_VERSION, JSON.stringify(data), token ?? null, this.options.maxAgeMs]
    )
  }

  async releaseLease(token: string): Promise<void> {
    await this.query(
      `UPDATE ${this.table} SET lease_owner = NULL, lease_expires_at = NULL WHERE cache_key = $1 AND lease_owner = $2`,
      [this.cacheKey, token]
    )
  }

  private async query(text: string, values: unknown[]): Promise<{ rows: unknown[] }> {
    await this.ensureTable()
    try {
      return await this.pool.query({ text, values, query_timeout: this.options.timeoutMs })
    } catch (error) {
      // The table was dropped after we created it: create it again next time.
      if ((error as { code?: unknown }).code === UNDEFINED_TABLE) this.tableReady = undefined
      throw error
    }
  }

  /** Creates the table once per instance, only when it is missing (a role without CREATE can use a migrated table). */
  private ensureTable(): Promise<void> {
    if (!this.createTable) return Promise.resolve()
    this.tableReady ??= this.createTableIfMissing().catch((error: unknown) => {
      this.tableReady = undefined // try again on the next call
      throw error
    })
    return this.tableReady
  }

  private async createTableIfMissing(): Promise<void> {
    const { rows } = await this.pool.query({
      text: 'SELECT to_regclass($1) IS NOT NULL AS present',
      values: [this.table],
      query_timeout: this.options.timeoutMs,
    })
    if ((rows[0] as { present?: boolean } | undefined)?.present) return
    try {
      await this.pool.query({
        text: postgresFlagDefinitionCacheDDL(this.tableName),
        values: [],
        query_timeout: this.options.timeoutMs,
      })
    } catch (error) {
      if (!ALREADY_EXISTS.has(String((error as { code?: unknown }).code))) throw error
    }
  }
}
