// The pure, synchronous local evaluator: prepare a definition set once, then evaluate flags from memory.
export { prepareDefinitions } from './prepare'
export { evaluateFlag } from './evaluate'
export { flagPayload } from './payloads'
export { setSha1Implementation } from './hash'
export type { PreparedDefinitions, PreparedFlag } from './model'
export type { DependencyCache, EvaluationInput, FlagOutcome, ValueOutcome } from './types'

import type { DependencyCache } from './types'

/** A fresh dependency cache, to share across the evaluations of one `getAllFlags` call. */
export function createDependencyCache(): DependencyCache {
  return new Map()
}
