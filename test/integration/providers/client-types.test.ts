// The providers type the user's client structurally (the package never imports ioredis or pg): these assignments
// fail to compile if a real ioredis client or pg Pool stops fitting those shapes.
import Redis, { Cluster } from 'ioredis'
import { Pool } from 'pg'
import { PostgresFlagDefinitionCache, RedisFlagDefinitionCache } from '../../../src/experimental'

describe('client types', () => {
  it('accepts an ioredis Redis, an ioredis Cluster and a pg Pool without casts', () => {
    const make = () => {
      const redis = new Redis({ lazyConnect: true })
      const cluster = new Cluster([], { lazyConnect: true })
      const pool = new Pool()
      return [
        new RedisFlagDefinitionCache(redis, { key: 'k' }),
        new RedisFlagDefinitionCache(cluster, { key: 'k' }),
        new PostgresFlagDefinitionCache(pool, { key: 'k' }),
      ]
    }
    // Compiling is the assertion; nothing is constructed (no connections are opened).
    expect(typeof make).toBe('function')
  })
})
