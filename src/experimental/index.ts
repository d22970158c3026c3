/**
 * `posthog-node/experimental`: the flag definition cache provider API, the building block for providers over any
 * store, and the providers shipped with it.
 *
 * @packageDocumentation
 * @experimental
 */
export type { FlagDefinitionCacheProvider, FlagDefinitionCacheData } from '../contracts/provider'
export type { FlagDefinitionsStats } from '../contracts/stats'
export { LeasedFlagDefinitionCache } from './lease/leased-cache'
export type {
  ChangeSubscriptionEvents,
  LeaseOutcome,
  LeaseStore,
  LeaseTiming,
  ReadLimits,
  StoredEntry,
  StoredEntryRead,
} from './lease/store'
export { FlagDefinitionsCodec } from './lease/codec'
export type { FlagDefinitionsCodecOptions, FlagDefinitionsDecodeResult } from './lease/codec'
export { FLAG_DEFINITIONS_SCHEMA_VERSION } from './lease/schema-version'
export { flagDefinitionsStorageName } from './lease/options'
export type { SharedFlagDefinitionCacheOptions } from './lease/options'
export type { FlagDefinitionCacheLogger } from './lease/logger'
export type { FlagDefinitionCacheProviderStats } from './lease/stats'
export { RedisFlagDefinitionCache } from './providers/redis'
export type { RedisClientLike, RedisFlagDefinitionCacheOptions } from './providers/redis'
export type { RedisSubscriberLike } from './providers/redis-notifications'
export { PostgresFlagDefinitionCache } from './providers/postgres'
export type { PostgresPoolLike, PostgresFlagDefinitionCacheOptions } from './providers/postgres'
export type { PostgresListenClientLike } from './providers/postgres-notifications'
export { postgresFlagDefinitionCacheDDL } from './providers/postgres-table'
export { FileFlagDefinitionCache } from './providers/file'
export type { FileFlagDefinitionCacheOptions } from './providers/file'
export { DynamoDBFlagDefinitionCache } from './providers/dynamodb'
export type { DynamoDBFlagDefinitionCacheOptions } from './providers/dynamodb'
export type {
  DynamoDBAttributeValue,
  DynamoDBClientLike,
  DynamoDBCommandClasses,
  DynamoDBCreateTableInput,
  DynamoDBDeleteItemInput,
  DynamoDBDescribeTableInput,
  DynamoDBGetItemInput,
  DynamoDBPutItemInput,
  DynamoDBUpdateItemInput,
} from './providers/dynamodb-client'
export { dynamoDBFlagDefinitionCacheCreateTableInput } from './providers/dynamodb-table'
