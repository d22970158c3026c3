// The lock-and-release pattern of the provider API's original documentation, for comparison in the benchmark:
// a Redis `SET NX EX` lock taken in shouldFetchFlagDefinitions and deleted (by whoever) after storing. It stops
// workers from fetching at the same moment, but with workers polling at their own phases each of them still takes
// the free lock once per interval. Not for production use: the shipped RedisFlagDefinitionCache fixes this.
export class DocsLockRedisCache {
  constructor(redis, teamKey) {
    this.redis = redis
    this.dataKey = `posthog:flags:${teamKey}`
    this.lockKey = `posthog:flags:${teamKey}:lock`
  }
  async getFlagDefinitions() {
    const cached = await this.redis.get(this.dataKey)
    return cached ? JSON.parse(cached) : undefined
  }
  async shouldFetchFlagDefinitions() {
    return (await this.redis.set(this.lockKey, '1', 'EX', 60, 'NX')) === 'OK'
  }
  async onFlagDefinitionsReceived(data) {
    await this.redis.set(this.dataKey, JSON.stringify(data), 'EX', 300)
    await this.redis.del(this.lockKey)
  }
  async shutdown() {
    await this.redis.del(this.lockKey)
  }
}
