/**
 * `posthog-node/experimental`: the flag definition cache provider API and the providers shipped with it.
 *
 * @packageDocumentation
 * @experimental
 */
export type { FlagDefinitionCacheProvider, FlagDefinitionCacheData } from './provider'
export type { FlagDefinitionsStats } from '../polling/stats'
