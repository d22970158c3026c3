// STUB: the evaluation helper replaces this file; the signatures are the contract the client relies on.
import type { FlagDefinitionCacheData } from '../experimental/provider'
import type {
  DependencyCache,
  EvaluationInput,
  FeatureFlagValue,
  FlagOutcome,
  JsonType,
  PreparedDefinitionsBase,
} from './types'

export type { DependencyCache, EvaluationInput, FlagOutcome } from './types'
export type PreparedDefinitions = PreparedDefinitionsBase

export function prepareDefinitions(_data: FlagDefinitionCacheData): PreparedDefinitions {
  throw new Error('not implemented')
}
export function createDependencyCache(): DependencyCache {
  return new Map()
}
/** undefined when the key is not in the definitions. */
export function evaluateFlag(
  _defs: PreparedDefinitions,
  _key: string,
  _input: EvaluationInput,
  _deps?: DependencyCache
): FlagOutcome | undefined {
  throw new Error('not implemented')
}
/** The local payload for a flag value (null for false/no payload). */
export function flagPayload(
  _defs: PreparedDefinitions,
  _key: string,
  _value: FeatureFlagValue | null | undefined
): JsonType | null {
  throw new Error('not implemented')
}
