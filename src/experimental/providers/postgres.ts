// PostgreSQL provider. Taking the lease is one INSERT ... ON CONFLICT DO UPDATE ... WHERE ... RETURNING statement:
// the row lock serialises concurrent callers and the WHERE clause is re-checked on the latest row version, so exactly
// one caller gets a row back. Times come from the database clock, so workers with skewed clocks agree on freshness.
import { errorMessage } from '../../shared/async'
import { oversizedEntry } from '../lease/codec'
import { LeasedFlagDefinitionCache } from '../lease/leased-cache'
import { resolveSharedOptions, type SharedFlagDefinitionCacheOptions } from '../lease/options'
import { FLAG_DEFINITIONS_SCHEMA_VERSION } from '../lease/schema-version'
import { randomToken } from '../lease/random-token'
import type {
  ChangeSubscriptionEvents,
  LeaseOutcome,
  LeaseStore,
  LeaseTiming,
  ReadLimits,
  StoredEntry,
  StoredEntryRead,
} from '../lease/store'
import {
  listenForPostgresChanges,
  postgresChangeChannel,
  type PostgresListenClientLike,
} from './postgres-notifications'
import { DEFAULT_POSTGRES_TABLE, postgresFlagDefinitionCacheDDL, quoteTableName } from './postgres-table'

/**
 * The part of a pg `Pool` the provider uses: `query` with a config object. Typed structurally so this package never
 * loads pg itself.
 *
 * @experimental May change in a minor version.
 */
export interface PostgresPoolLike {
  /** Runs one statement; `values` are bound parameters (the provider never splices values into SQL). */
  query(config: { text: string; values: unknown[]; query_timeout?: number }): Promise<{ rows: unknown[] }>
  /**
   * Checks out one connection, which the provider keeps for `LISTEN` (change notifications) until shutdown. Without
   * it, processes see new definitions at their next poll.
   */
  connect?(): Promise<PostgresListenClientLike>
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
const INSUFFICIENT_PRIVILEGE = '42501'
// A concurrent CREATE TABLE won the race: the loser sees the relation (42P07), its row type (42710) or the catalog's
// unique index (23505) already taken.
const ALREADY_EXISTS = new Set(['42P07', '42710', '23505'])
const DUPLICATE_COLUMN = '42701'

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
    const { storageName, timeoutMs } = resolveSharedOptions('PostgresFlagDefinitionCache', options)
    if (!pool || typeof pool.query !== 'function') {
      throw new TypeError('PostgresFlagDefinitionCache: the first argument must be a pg Pool')
    }
    if ('connectionParameters' in pool) {
      throw new TypeError(
        'PostgresFlagDefinitionCache: the first argument is a pg Client (or a client checked out of a Pool); pass ' +
          'a pg Pool (`new pg.Pool(...)`): a Client dies with its connection and is never reconnected'
      )
    }
    const table = options.table ?? DEFAULT_POSTGRES_TABLE
    const store = new PostgresLeaseStore(pool, storageName, timeoutMs, table, options.createTable ?? true)
    super(store, options, 'PostgresFlagDefinitionCache')
  }
}

/** The four lease operations, one parameterised statement each. */
class PostgresLeaseStore implements LeaseStore {
  private readonly table: string
  private tableReady: Promise<void> | undefined

  constructor(
    private readonly pool: PostgresPoolLike,
    /** The row key. */
    private readonly cacheKey: string,
    private readonly timeoutMs: number,
    private readonly tableName: string,
    private readonly createTable: boolean
  ) {
    this.table = quoteTableName(tableName)
    this.channel = postgresChangeChannel(cacheKey)
    if (typeof pool.connect !== 'function') this.subscribe = undefined
  }

  /** Where a write is announced (pg_notify, in the writing statement). */
  private readonly channel: string
  /** Tells this instance's own listener apart from everyone else's writes. */
  private readonly selfId = randomToken()

  async tryTakeLease(token: string, { maxAgeMs, leaseMs }: LeaseTiming): Promise<LeaseOutcome> {
    // One statement: the INSERT takes a missing or expired lease when the definitions are stale or absent; the outer
    // SELECT (which sees the row as it was before the statement) only says why not, for the counters.
    const { rows } = await this.query(
      `WITH attempt AS (
         INSERT INTO ${this.table} AS c (cache_key, lease_owner, lease_expires_at)
         VALUES ($1, $2, clock_timestamp() + $3::double precision * interval '1 millisecond')
         ON CONFLICT (cache_key) DO UPDATE
           SET lease_owner = EXCLUDED.lease_owner, lease_expires_at = EXCLUDED.lease_expires_at
           WHERE (c.lease_expires_at IS NULL OR c.lease_expires_at <= clock_timestamp())
             AND (c.fetched_at IS NULL OR c.fetched_at > clock_timestamp()
                  OR c.fetched_at <= clock_timestamp() - $4::double precision * interval '1 millisecond')
         RETURNING 1
       )
       SELECT EXISTS (SELECT 1 FROM attempt) AS taken,
              EXISTS (SELECT 1 FROM ${this.table}
                      WHERE cache_key = $1 AND fetched_at <= clock_timestamp()
                        AND fetched_at > clock_timestamp() - $4::double precision * interval '1 millisecond') AS fresh`,
      [this.cacheKey, token, leaseMs, maxAgeMs]
    )
    const row = rows[0] as { taken?: boolean; fresh?: boolean } | undefined
    return row?.taken ? 'taken' : row?.fresh ? 'fresh' : 'busy'
  }

  async readEntry({ maxEntryBytes }: ReadLimits): Promise<StoredEntryRead | undefined> {
    // The size is checked on the server: an oversized entry never crosses the network.
    const { rows } = await this.query(
      `SELECT octet_length(data) AS size, CASE WHEN octet_length(data) <= $2 THEN data END AS data
       FROM ${this.table} WHERE cache_key = $1`,
      [this.cacheKey, maxEntryBytes]
    )
    const row = rows[0] as { size: unknown; data: unknown } | undefined
    // A row with only a lease in it (nobody has stored definitions yet) is a miss too.
    if (!row || row.size === null || row.size === undefined) return undefined
    if (typeof row.data === 'string') return { payload: row.data }
    return { refused: oversizedEntry(String(row.size), maxEntryBytes, 'not read') }
  }

  async writeEntry(
    { payload, etag }: StoredEntry,
    token: string | undefined,
    { maxAgeMs }: LeaseTiming
  ): Promise<void> {
    // Writes and, in the same statement, clears the lease if this caller's token still owns it. A caller that does not
    // hold the lease (it lapsed, or it was never taken) writes only over a stale entry: a late write must not replace
    // the fresh copy of the process that holds the lease now.
    // The notification is sent by the same statement, only for a row it wrote: delivered when it commits, never
    // for a write that was kept out.
    await this.query(
      `WITH written AS (
         INSERT INTO ${this.table} AS c (cache_key, schema_version, fetched_at, data, etag)
         VALUES ($1, $2::integer, clock_timestamp(), $3, $6)
         ON CONFLICT (cache_key) DO UPDATE
           SET schema_version = EXCLUDED.schema_version, fetched_at = EXCLUDED.fetched_at, data = EXCLUDED.data,
               etag = EXCLUDED.etag,
               lease_owner = CASE WHEN c.lease_owner = $4 THEN NULL ELSE c.lease_owner END,
               lease_expires_at = CASE WHEN c.lease_owner = $4 THEN NULL ELSE c.lease_expires_at END
           WHERE c.lease_owner IS NOT DISTINCT FROM $4::text AND $4::text IS NOT NULL
              OR c.fetched_at IS NULL OR c.fetched_at > clock_timestamp()
              OR c.fetched_at <= clock_timestamp() - $5::double precision * interval '1 millisecond'
         RETURNING 1
       )
       SELECT pg_notify($7, $8) FROM written`,
      [
        this.cacheKey,
        FLAG_DEFINITIONS_SCHEMA_VERSION,
        payload,
        token ?? null,
        maxAgeMs,
        etag ?? null,
        this.channel,
        this.selfId,
      ]
    )
  }

  async markFresh(etag: string, token: string | undefined): Promise<boolean> {
    const { rows } = await this.query(
      `UPDATE ${this.table}
       SET fetched_at = clock_timestamp(),
           lease_owner = CASE WHEN lease_owner = $3::text THEN NULL ELSE lease_owner END,
           lease_expires_at = CASE WHEN lease_owner = $3::text THEN NULL ELSE lease_expires_at END
       WHERE cache_key = $1 AND etag = $2 AND data IS NOT NULL
       RETURNING 1`,
      [this.cacheKey, etag, token ?? null]
    )
    return rows.length > 0
  }

  subscribe?: LeaseStore['subscribe'] = (onChange: () => void, events: ChangeSubscriptionEvents) =>
    listenForPostgresChanges(
      {
        connect: () => this.pool.connect!(),
        query: async (text, values) => {
          await this.ensureTable()
          return this.pool.query({ text, values, query_timeout: this.timeoutMs })
        },
        channel: this.channel,
        selfId: this.selfId,
        timeoutMs: this.timeoutMs,
        warn: events.warn,
        unavailable: () =>
          events.unavailable(
            'LISTEN hears no notifications through this pool (a pooler in transaction mode, such as PgBouncer ' +
              'with pool_mode = transaction?); new definitions arrive with polling only. Point the pool at ' +
              'PostgreSQL directly, or at a session-mode pool, to get them at once.'
          ),
      },
      onChange
    )

  async releaseLease(token: string): Promise<void> {
    await this.query(
      `UPDATE ${this.table} SET lease_owner = NULL, lease_expires_at = NULL WHERE cache_key = $1 AND lease_owner = $2`,
      [this.cacheKey, token]
    )
  }

  private async query(text: string, values: unknown[]): Promise<{ rows: unknown[] }> {
    try {
      await this.ensureTable()
      return await this.pool.query({ text, values, query_timeout: this.timeoutMs })
    } catch (error) {
      const code = (error as { code?: unknown }).code
      // The table was dropped after we created it: create it again next time.
      if (code === UNDEFINED_TABLE) this.tableReady = undefined
      if (code === INSUFFICIENT_PRIVILEGE) throw new Error(this.permissionAdvice(error))
      throw error
    }
  }

  /** What to run when the role may not create or use the table: the database is reachable, the role is not enough. */
  private permissionAdvice(error: unknown): string {
    const detail = errorMessage(error)
    return (
      `the database role may not use the flag definitions table ${this.table} (${detail}). ` +
      `Create the table once as a role that may (e.g. in a migration), grant the application's role access, and ` +
      `pass createTable: false:\n${postgresFlagDefinitionCacheDDL(this.tableName)};\n` +
      `GRANT SELECT, INSERT, UPDATE ON ${this.table} TO <application role>;`
    )
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
      text: `SELECT to_regclass($1) IS NOT NULL AS present,
                    EXISTS (SELECT 1 FROM pg_attribute
                            WHERE attrelid = to_regclass($1) AND attname = 'etag' AND NOT attisdropped) AS has_etag`,
      values: [this.table],
      query_timeout: this.timeoutMs,
    })
    const found = rows[0] as { present?: boolean; has_etag?: boolean } | undefined
    if (found?.present && !found.has_etag) {
      // A table made by an earlier build of this package: add the column the shared ETag needs.
      try {
        await this.pool.query({
          text: `ALTER TABLE ${this.table} ADD COLUMN IF NOT EXISTS etag text`,
          values: [],
          query_timeout: this.timeoutMs,
        })
      } catch (error) {
        if (String((error as { code?: unknown }).code) !== DUPLICATE_COLUMN) throw error
      }
    }
    if (found?.present) return
    try {
      await this.pool.query({
        text: postgresFlagDefinitionCacheDDL(this.tableName),
        values: [],
        query_timeout: this.timeoutMs,
      })
    } catch (error) {
      if (!ALREADY_EXISTS.has(String((error as { code?: unknown }).code))) throw error
    }
  }
}
