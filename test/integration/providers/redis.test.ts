import Redis from 'ioredis'
import { RedisFlagDefinitionCache } from '../../../src/experimental'
import { describeWith, REDIS_URL } from '../../helpers/services'
import { failFastContract, providerContract } from './contract'
import { RecordingLogger, sampleDefinitions, sleep, uniqueName } from './fixtures'
import { blackHole, type BlackHole, closedPort } from './net-helpers'

describeWith('redis', 'RedisFlagDefinitionCache', () => {
  const prefix = `${uniqueName('test')}:`
  let redis: Redis

  beforeAll(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })
  })
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`)
    if (keys.length) await redis.del(...keys)
    await redis.quit()
  })

  const entryKey = (key: string) => new RedisFlagDefinitionCache(redis, { key, keyPrefix: prefix }).entryKey

  describe('contract', () => {
    providerContract(() => ({
      make: (options) => new RedisFlagDefinitionCache(redis, { keyPrefix: prefix, ...options }),
      writeRawEntry: async (key, payload) => {
        await redis.hset(entryKey(key), 'fetchedAt', String(Date.now()), 'data', payload)
      },
    }))
  })

  it('puts the entry and the lease in one hash slot, and stores no part of the key in clear', async () => {
    const key = 'phc_project_key_that_should_not_appear'
    const provider = new RedisFlagDefinitionCache(redis, { key, keyPrefix: prefix })
    const tag = (name: string) => /\{([^}]+)\}/.exec(name)?.[1]
    expect(tag(provider.entryKey)).toBeDefined()
    expect(tag(provider.entryKey)).toBe(tag(provider.leaseKey))
    expect(provider.entryKey.startsWith(prefix)).toBe(true)
    expect(`${provider.entryKey} ${provider.leaseKey}`).not.toContain(key)
  })

  it('stores { fetchedAt, data } with fetchedAt from the Redis clock, and the lease with an expiry', async () => {
    const provider = new RedisFlagDefinitionCache(redis, {
      key: uniqueName('layout'),
      keyPrefix: prefix,
      leaseMs: 5000,
    })
    expect(await provider.shouldFetchFlagDefinitions()).toBe(true)
    const ttl = await redis.pttl(provider.leaseKey)
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(5000)
    await provider.onFlagDefinitionsReceived(sampleDefinitions())
    const stored = await redis.hgetall(provider.entryKey)
    const [seconds] = await redis.time()
    expect(Math.abs(Number(stored.fetchedAt) - Number(seconds) * 1000)).toBeLessThan(5000)
    expect(stored.data).toBe(`phfd/2 json -\n${JSON.stringify(sampleDefinitions())}`)
    expect(await redis.exists(provider.leaseKey)).toBe(0)
  })

  it('rejects a key prefix with braces (it would break the hash tag)', () => {
    expect(() => new RedisFlagDefinitionCache(redis, { key: 'k', keyPrefix: 'a{b}:' })).toThrow(/must not contain/)
  })

  it('rejects something that is not a Redis client, and a missing key', () => {
    expect(() => new RedisFlagDefinitionCache({} as never, { key: 'k' })).toThrow(/ioredis client/)
    expect(() => new RedisFlagDefinitionCache(redis, {} as never)).toThrow(/options.key/)
  })

  it('never closes the client it was given', async () => {
    const provider = new RedisFlagDefinitionCache(redis, { key: uniqueName('close'), keyPrefix: prefix })
    await provider.shouldFetchFlagDefinitions()
    await provider.shutdown()
    expect(await redis.ping()).toBe('PONG')
  })

  it('waits for a just-created client to connect (offline queue off) so the start-up read is served', async () => {
    const key = uniqueName('startup')
    const writer = new RedisFlagDefinitionCache(redis, { key, keyPrefix: prefix })
    await writer.onFlagDefinitionsReceived(sampleDefinitions('startup'))
    const fresh = new Redis(REDIS_URL, { enableOfflineQueue: false })
    try {
      expect(fresh.status).not.toBe('ready')
      const reader = new RedisFlagDefinitionCache(fresh, { key, keyPrefix: prefix })
      expect(await reader.getFlagDefinitions()).toEqual(sampleDefinitions('startup'))
    } finally {
      await fresh.quit()
    }
  })

  it('concurrent calls on a connecting client wait on one ready listener, not one each', async () => {
    const key = uniqueName('connecting')
    const fresh = new Redis(REDIS_URL, { enableOfflineQueue: false })
    try {
      const before = fresh.listenerCount('ready')
      const reader = new RedisFlagDefinitionCache(fresh, { key, keyPrefix: prefix })
      const reads = Array.from({ length: 20 }, () => reader.getFlagDefinitions())
      expect(fresh.listenerCount('ready')).toBe(before + 1)
      await Promise.all(reads)
    } finally {
      await fresh.quit()
    }
  })

  it('gives back a lease that a timed-out attempt took late, so the next stale check is not blocked by it', async () => {
    const key = uniqueName('late-lease')
    // Redis answers only after the provider gave up on it: the lease is taken, but nobody is left to hold it.
    const slow = {
      eval: async (...args: Parameters<Redis['eval']>) => {
        await sleep(300)
        return redis.eval(...args)
      },
    }
    const logger = new RecordingLogger()
    const timedOut = new RedisFlagDefinitionCache(slow, {
      key,
      keyPrefix: prefix,
      timeoutMs: 100,
      leaseMs: 10_000,
      logger,
    })
    expect(await timedOut.shouldFetchFlagDefinitions()).toBe(true)
    expect(timedOut.getStats().timeouts).toBe(1)
    await sleep(800)
    expect(await redis.exists(timedOut.leaseKey)).toBe(0)
    const other = new RedisFlagDefinitionCache(redis, { key, keyPrefix: prefix, leaseMs: 10_000 })
    expect(await other.shouldFetchFlagDefinitions()).toBe(true)
    await other.shutdown()
  })

  describe('when Redis is unreachable', () => {
    const clients: Redis[] = []
    let hole: BlackHole
    beforeAll(async () => {
      hole = await blackHole()
    })
    afterAll(async () => {
      for (const client of clients) client.disconnect(false)
      await hole.close()
    })

    let port = 0
    beforeAll(async () => {
      port = await closedPort()
    })
    failFastContract('a closed port, client without an offline queue', (logger: RecordingLogger) => {
      const client = new Redis({
        port,
        host: '127.0.0.1',
        enableOfflineQueue: false,
        disconnectTimeout: 50,
        retryStrategy: () => 1000,
      })
      client.on('error', () => undefined)
      clients.push(client)
      return new RedisFlagDefinitionCache(client, { key: 'k', keyPrefix: prefix, timeoutMs: 300, logger })
    })
    failFastContract(
      'a server that never answers, client with default (queueing) options',
      (logger: RecordingLogger) => {
        const client = new Redis({
          port: hole.port,
          host: '127.0.0.1',
          connectTimeout: 500,
          disconnectTimeout: 50,
          retryStrategy: () => null,
        })
        client.on('error', () => undefined)
        clients.push(client)
        return new RedisFlagDefinitionCache(client, { key: 'k', keyPrefix: prefix, timeoutMs: 300, logger })
      }
    )
  })
})
