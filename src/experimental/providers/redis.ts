// Redis provider. Every operation is one Lua script, so each is atomic on the server, and every key of one entry
// shares a hash tag so a Redis Cluster keeps them in one slot (multi-key scripts never fail with CROSSSLOT).
// Times come from the Redis server (TIME), so workers with skewed clocks still agree on freshness.
import type { FlagDefinitionCacheData } from '../../contracts/provider'
import { LeasedFlagDefinitionCache } from './leased-provider'
import { type ResolvedSharedOptions, resolveSharedOptions, type SharedFlagDefinitionCacheOptions } from './options'
import { LeasedDefinitionsCache, type LeaseOutcome, type LeaseStore, type ReadOutcome } from './shared-cache'
import { decodeStoredData, STORED_SCHEMA_VERSION } from './stored-entry'

/**
 * The part of an ioredis client (`Redis` or `Cluster`) the provider uses: `eval`. Typed structurally so this package
 * never loads ioredis itself.
 *
 * @experimental May change in a minor version.
 */
export interface RedisClientLike {
  /** Runs a Lua script: every operation of the provider is one script, hence atomic. */
  eval(script: string, numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>
  /** ioredis' connection state; used to wait for the first connection (see {@link RedisFlagDefinitionCache}). */
  readonly status?: string
  /** Used with `status` to wait for the first connection. */
  once?(event: 'ready', listener: () => void): unknown
  /** Used with `status` to wait for the first connection. */
  removeListener?(event: 'ready', listener: () => void): unknown
}

const CONNECTING = new Set(['connecting', 'connect', 'reconnecting'])

/**
 * Options of {@link RedisFlagDefinitionCache}.
 *
 * @experimental May change in a minor version.
 */
export interface RedisFlagDefinitionCacheOptions extends SharedFlagDefinitionCacheOptions {
  /** Prepended to every key this provider writes. Default `'posthog:flag-definitions:'`. */
  keyPrefix?: string
}

// Redis before 5 refuses a write after TIME (a non-deterministic command) unless effects replication is switched on;
// from 5 on that is the default and the call is a no-op.
const SERVER_NOW = `if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`

// KEYS: entry hash, lease. ARGV: maxAgeMs, token, leaseMs, schema version. Returns 0 fresh, 1 taken, 2 busy.
const TAKE_LEASE = `${SERVER_NOW}
local stored = redis.call('HMGET', KEYS[1], 'v', 'fetchedAt')
local fetchedAt = tonumber(stored[2])
if stored[1] == ARGV[4] and fetchedAt and now >= fetchedAt and now - fetchedAt < tonumber(ARGV[1]) then return 0 end
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then return 1 end
return 2`

// KEYS: entry hash, lease. ARGV: schema version, data JSON, token ('' when this caller holds no lease), maxAgeMs.
// A caller that does not hold the lease (it lapsed, or it was never taken) stores only over a stale entry: a late
// write must not replace the fresh copy of the process that holds the lease now. Returns 1 stored, 0 kept.
const STORE_AND_RELEASE = `${SERVER_NOW}
local owns = ARGV[3] ~= '' and redis.call('GET', KEYS[2]) == ARGV[3]
if not owns then
  local stored = redis.call('HMGET', KEYS[1], 'v', 'fetchedAt')
  local fetchedAt = tonumber(stored[2])
  if stored[1] == ARGV[1] and fetchedAt and now >= fetchedAt and now - fetchedAt < tonumber(ARGV[4]) then return 0 end
end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'fetchedAt', string.format('%.0f', now), 'data', ARGV[2])
if owns then redis.call('DEL', KEYS[2]) end
return 1`

// KEYS: lease. ARGV: token. Deletes the lease only if this token still owns it.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`

// KEYS: entry hash. Read through a script too, so the client needs nothing but eval.
const READ = `return redis.call('HMGET', KEYS[1], 'v', 'data')`

/**
 * Shares flag definitions between processes through Redis (or a Redis Cluster), so that about one process per
 * `maxAgeMs` fetches them from PostHog.
 *
 * Pass your own ioredis client; the provider never closes it. Configure the client to fail rather than queue while
 * disconnected (e.g. `enableOfflineQueue: false` or `maxRetriesPerRequest: 1`); the provider gives up on any
 * operation after `timeoutMs` either way and falls back to fetching from the API. Until the client has connected
 * once, operations wait for it (within `timeoutMs`), so a client created just before the PostHog client still serves
 * the start-up read; after that, a lost connection fails at once.
 *
 * @experimental May change in a minor version.
 */
export class RedisFlagDefinitionCache extends LeasedFlagDefinitionCache {
  /** The hash holding `{ v, fetchedAt, data }`. */
  readonly entryKey: string
  /** The lease: a string key holding the owner's random token, with a PX expiry. */
  readonly leaseKey: string

  constructor(redis: RedisClientLike, options: RedisFlagDefinitionCacheOptions) {
    const resolved = resolveSharedOptions('RedisFlagDefinitionCache', options)
    if (!redis || typeof redis.eval !== 'function') {
      throw new TypeError('RedisFlagDefinitionCache: the first argument must be an ioredis client (Redis or Cluster)')
    }
    const prefix = options.keyPrefix ?? 'posthog:flag-definitions:'
    if (typeof prefix !== 'string') throw new TypeError('RedisFlagDefinitionCache: options.keyPrefix must be a string')
    if (/[{}]/.test(prefix)) {
      throw new TypeError(
        'RedisFlagDefinitionCache: options.keyPrefix must not contain { or } (the provider sets the hash tag)'
      )
    }
    const tagged = `${prefix}{${resolved.keyHash}}`
    // The schema version is part of the names: during a rolling upgrade to a package that stores another layout, each
    // version keeps its own entry and lease instead of overwriting the other's every interval.
    const entryKey = `${tagged}:v${STORED_SCHEMA_VERSION}:entry`
    const leaseKey = `${tagged}:v${STORED_SCHEMA_VERSION}:lease`
    super(
      new LeasedDefinitionsCache(
        'RedisFlagDefinitionCache',
        resolved,
        new RedisLeaseStore(redis, resolved, entryKey, leaseKey)
      )
    )
    this.entryKey = entryKey
    this.leaseKey = leaseKey
  }
}

/** The four lease operations as Lua scripts. */
class RedisLeaseStore implements LeaseStore {
  private connectedOnce = false
  private connecting: Promise<void> | undefined

  constructor(
    private readonly redis: RedisClientLike,
    private readonly options: ResolvedSharedOptions,
    private readonly entryKey: string,
    private readonly leaseKey: string
  ) {}

  async tryTakeLease(token: string): Promise<LeaseOutcome> {
    const { maxAgeMs, leaseMs } = this.options
    const result = await this.eval(
      TAKE_LEASE,
      2,
      this.entryKey,
      this.leaseKey,
      maxAgeMs,
      token,
      leaseMs,
      STORED_SCHEMA_VERSION
    )
    return result === 0 ? 'fresh' : result === 1 ? 'taken' : 'busy'
  }

  async readEntry(): Promise<ReadOutcome> {
    const result = await this.eval(READ, 1, this.entryKey)
    if (!Array.isArray(result)) throw new Error(`unexpected reply to HMGET: ${typeof result}`)
    const [version, data] = result as unknown[]
    if (version === null && data === null) return { found: false }
    return { found: true, ...decodeStoredData(version, data) }
  }

  async writeEntry(data: FlagDefinitionCacheData, token: string | undefined): Promise<void> {
    await this.eval(
      STORE_AND_RELEASE,
      2,
      this.entryKey,
      this.leaseKey,
      STORED_SCHEMA_VERSION,
      JSON.stringify(data),
      token ?? '',
      this.options.maxAgeMs
    )
  }

  async releaseLease(token: string): Promise<void> {
    await this.eval(RELEASE, 1, this.leaseKey, token)
  }

  private async eval(script: string, numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown> {
    await this.firstConnection()
    return this.redis.eval(script, numberOfKeys, ...keysAndArgs)
  }

  /**
   * With `enableOfflineQueue: false` a command sent while the client is still connecting fails at once; waiting for
   * the first 'ready' (the caller's timeout bounds the wait) lets a just-created client serve the start-up read.
   */
  private firstConnection(): Promise<void> {
    const { redis } = this
    if (this.connectedOnce || redis.status === undefined || redis.status === 'ready') {
      this.connectedOnce ||= redis.status === 'ready'
      return Promise.resolve()
    }
    if (!CONNECTING.has(redis.status) || !redis.once || !redis.removeListener) return Promise.resolve()
    // Concurrent calls share one wait (and one 'ready' listener).
    this.connecting ??= new Promise<void>((resolve) => {
      const done = () => {
        this.connecting = undefined
        resolve()
      }
      const ready = () => {
        clearTimeout(timer)
        this.connectedOnce = true
        done()
      }
      // Give up waiting a little before the operation's own timeout so the command itself reports the failure.
      const timer = setTimeout(
        () => {
          redis.removeListener!('ready', ready)
          done()
        },
        Math.max(0, this.options.timeoutMs - 50)
      )
      timer.unref?.()
      redis.once!('ready', ready)
    })
    return this.connecting
  }
}
