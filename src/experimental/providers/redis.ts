// Redis provider. Every operation is one Lua script, so each is atomic on the server, and every key of one entry
// shares a hash tag so a Redis Cluster keeps them in one slot (multi-key scripts never fail with CROSSSLOT).
// Times come from the Redis server (TIME), so workers with skewed clocks still agree on freshness.
import { unrefTimeout } from '../../shared/async'
import { oversizedEntry } from '../lease/codec'
import { LeasedFlagDefinitionCache } from '../lease/leased-cache'
import { resolveSharedOptions, type SharedFlagDefinitionCacheOptions } from '../lease/options'
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
import { redisChangeChannel, type RedisSubscriberLike, subscribeToRedisChanges } from './redis-notifications'

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
  /**
   * A new connection with the same options, for the change subscription (a subscribed connection can run nothing
   * else, so the provider never subscribes on yours). Without it, processes see new definitions at their next poll.
   */
  duplicate?(): RedisSubscriberLike
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

// Fresh: written by this server's clock less than maxAgeMs ago (and not in its future).
const IS_FRESH = `local function isFresh(maxAgeMs)
  local fetchedAt = tonumber(redis.call('HGET', KEYS[1], 'fetchedAt'))
  return fetchedAt ~= nil and now >= fetchedAt and now - fetchedAt < maxAgeMs
end`

// KEYS: entry hash, lease. ARGV: maxAgeMs, token, leaseMs. Returns 0 fresh, 1 taken, 2 busy.
const TAKE_LEASE = `${SERVER_NOW}
${IS_FRESH}
if isFresh(tonumber(ARGV[1])) then return 0 end
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then return 1 end
return 2`

// KEYS: entry hash, lease. ARGV: payload, token ('' when this caller holds no lease), maxAgeMs.
// A caller that does not hold the lease (it lapsed, or it was never taken) writes only over a stale entry: a late
// write must not replace the fresh copy of the process that holds the lease now. Returns 1 written, 0 kept.
const WRITE_AND_RELEASE = `${SERVER_NOW}
${IS_FRESH}
local owns = ARGV[2] ~= '' and redis.call('GET', KEYS[2]) == ARGV[2]
if not owns and isFresh(tonumber(ARGV[3])) then return 0 end
redis.call('HSET', KEYS[1], 'fetchedAt', string.format('%.0f', now), 'data', ARGV[1])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'etag', ARGV[4]) else redis.call('HDEL', KEYS[1], 'etag') end
if owns then redis.call('DEL', KEYS[2]) end
redis.call('PUBLISH', ARGV[5], ARGV[6])
return 1`

// KEYS: entry hash, lease. ARGV: etag, token ('' when none). After a 304: the entry is current if it carries that
// ETag; stamp it fresh without touching its data (and without publishing: nothing changed). Returns 1 marked, 0 not.
const MARK_FRESH = `${SERVER_NOW}
if redis.call('HGET', KEYS[1], 'etag') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'fetchedAt', string.format('%.0f', now))
if ARGV[2] ~= '' and redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
return 1`

// KEYS: lease. ARGV: token. Deletes the lease only if this token still owns it.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`

// KEYS: entry hash. ARGV: maxEntryBytes. Returns { size, data }, data false (nil) when missing or too large: an
// oversized entry never leaves the server. Read through a script too, so the client needs nothing but eval.
const READ = `local size = redis.call('HSTRLEN', KEYS[1], 'data')
if size > tonumber(ARGV[1]) or redis.call('HEXISTS', KEYS[1], 'data') == 0 then return { size, false } end
return { size, redis.call('HGET', KEYS[1], 'data') }`

/** True for a node-redis (`redis` package) client: its `eval` takes `(script, { keys, arguments })`. */
const isNodeRedisClient = (client: object): boolean =>
  'isOpen' in client && typeof (client as { sendCommand?: unknown }).sendCommand === 'function'

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
  /** The hash holding `fetchedAt` (by the Redis clock) and `data` (the encoded entry). */
  readonly entryKey: string
  /** The lease: a string key holding the owner's random token, with a PX expiry. */
  readonly leaseKey: string
  /** Where a write is announced (PUBLISH); named from the entry's hash tag. */
  readonly channel: string

  constructor(redis: RedisClientLike, options: RedisFlagDefinitionCacheOptions) {
    const { storageName, timeoutMs } = resolveSharedOptions('RedisFlagDefinitionCache', options)
    if (redis && typeof redis === 'object' && isNodeRedisClient(redis)) {
      throw new TypeError(
        'RedisFlagDefinitionCache: this looks like a node-redis client (the `redis` package); the provider needs an ' +
          'ioredis client (`new Redis(url)` or `new Redis.Cluster(nodes)` from the `ioredis` package)'
      )
    }
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
    // Both keys share the hash tag, so a Redis Cluster keeps them in one slot (multi-key scripts never CROSSSLOT).
    const entryKey = `${prefix}{${storageName}}:entry`
    const leaseKey = `${prefix}{${storageName}}:lease`
    const channel = redisChangeChannel(`${prefix}{${storageName}}`)
    super(new RedisLeaseStore(redis, timeoutMs, entryKey, leaseKey, channel), options, 'RedisFlagDefinitionCache')
    this.entryKey = entryKey
    this.leaseKey = leaseKey
    this.channel = channel
  }
}

/** The four lease operations as Lua scripts. */
class RedisLeaseStore implements LeaseStore {
  private connectedOnce = false
  private connecting: Promise<void> | undefined

  constructor(
    private readonly redis: RedisClientLike,
    private readonly timeoutMs: number,
    private readonly entryKey: string,
    private readonly leaseKey: string,
    private readonly channel: string
  ) {
    if (typeof redis.duplicate !== 'function') this.subscribe = undefined
  }

  /** Tells this instance's own subscriber apart from everyone else's writes. */
  private readonly selfId = randomToken()

  async tryTakeLease(token: string, { maxAgeMs, leaseMs }: LeaseTiming): Promise<LeaseOutcome> {
    const result = await this.eval(TAKE_LEASE, 2, this.entryKey, this.leaseKey, maxAgeMs, token, leaseMs)
    return result === 0 ? 'fresh' : result === 1 ? 'taken' : 'busy'
  }

  async readEntry({ maxEntryBytes }: ReadLimits): Promise<StoredEntryRead | undefined> {
    const result = await this.eval(READ, 1, this.entryKey, maxEntryBytes)
    if (!Array.isArray(result)) throw new Error(`unexpected reply to the read script: ${typeof result}`)
    const [size, payload] = result as unknown[]
    if (typeof payload === 'string') return { payload }
    if (typeof size === 'number' && size > maxEntryBytes) {
      return { refused: oversizedEntry(size, maxEntryBytes, 'not read') }
    }
    return undefined
  }

  async writeEntry(
    { payload, etag }: StoredEntry,
    token: string | undefined,
    { maxAgeMs }: LeaseTiming
  ): Promise<void> {
    await this.eval(
      WRITE_AND_RELEASE,
      2,
      this.entryKey,
      this.leaseKey,
      payload,
      token ?? '',
      maxAgeMs,
      etag ?? '',
      this.channel,
      this.selfId
    )
  }

  async markFresh(etag: string, token: string | undefined): Promise<boolean> {
    return (await this.eval(MARK_FRESH, 2, this.entryKey, this.leaseKey, etag, token ?? '')) === 1
  }

  subscribe?: LeaseStore['subscribe'] = (onChange: () => void, events: ChangeSubscriptionEvents) =>
    subscribeToRedisChanges(
      {
        duplicate: () => this.redis.duplicate!(),
        channel: this.channel,
        selfId: this.selfId,
        warn: events.warn,
        timeoutMs: this.timeoutMs,
      },
      onChange
    )

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
      const timer = unrefTimeout(() => {
        redis.removeListener!('ready', ready)
        done()
      }, this.timeoutMs - 50)
      redis.once!('ready', ready)
    })
    return this.connecting
  }
}
