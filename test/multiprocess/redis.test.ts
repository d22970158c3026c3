import Redis from 'ioredis'
import { describeWith, REDIS_URL } from '../helpers/services'
import { coordinationScenarios, storeOutageScenario } from './helpers/scenarios'
import { TcpProxy } from './helpers/tcp-proxy'

describeWith('redis', 'RedisFlagDefinitionCache across processes', () => {
  const keyPrefix = `test:multiprocess:${process.pid}:`
  let run = 0
  afterAll(async () => {
    const redis = new Redis(REDIS_URL)
    const keys = await redis.keys(`${keyPrefix}*`)
    if (keys.length) await redis.del(...keys)
    await redis.quit()
  })

  coordinationScenarios(() => ({
    provider: 'redis',
    redisUrl: REDIS_URL,
    keyPrefix,
    key: `multiprocess-redis-${run++}`,
    // Entries carry an HMAC tag: the fleet shares signed entries as it does plain ones.
    secret: 'fleet-shared-secret',
  }))

  describe('through a proxy the test can cut', () => {
    const target = new URL(REDIS_URL)
    const proxy = new TcpProxy(target.hostname, Number(target.port || 6379))
    beforeAll(() => proxy.start())
    afterAll(() => proxy.stop())

    storeOutageScenario(
      (port) => {
        const url = new URL(REDIS_URL)
        url.hostname = '127.0.0.1'
        url.port = String(port)
        return { provider: 'redis', redisUrl: url.toString(), keyPrefix, key: `multiprocess-redis-outage-${run++}` }
      },
      () => proxy
    )
  })
})
