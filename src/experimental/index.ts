/**
 * `posthog-node/experimental`: the flag definition cache provider API and the providers shipped with it.
 *
 * @packageDocumentation
 * @experimental
 */
export type { FlagDefinitionCacheProvider, FlagDefinitionCacheData } from '../contracts/provider'
export type { FlagDefinitionsStats } from '../contracts/stats'
export { RedisFlagDefinitionCache } from './providers/redis'
export type { RedisClientLike, RedisFlagDefinitionCacheOptions } from './providers/redis'
export { PostgresFlagDefinitionCache } from './providers/postgres'
export type { PostgresPoolLike, PostgresFlagDefinitionCacheOptions } from './providers/postgres'
export { postgresFlagDefinitionCacheDDL } from './providers/postgres-table'
export { FileFlagDefinitionCache } from './providers/file'
export type { FileFlagDefinitionCacheOptions } from './providers/file'
export type { SharedFlagDefinitionCacheOptions } from './providers/options'
export type { FlagDefinitionCacheLogger } from './providers/logger'
export type { FlagDefinitionCacheProviderStats } from './providers/shared-cache'
