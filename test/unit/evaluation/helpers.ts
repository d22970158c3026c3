// Builders for evaluation tests: definitions from a few fields, evaluation results as plain values.
import { createDependencyCache, evaluateFlag, prepareDefinitions, type DependencyCache } from '../../../src/evaluation'
import type { PreparedDefinitions } from '../../../src/evaluation'
import { validateFlagDefinitions } from '../../../src/definitions/validate'
import type { FlagDefinitionCacheData } from '../../../src/contracts/provider'
import { flagDefinition } from '../../helpers/definitions'

export type Json = Record<string, unknown>

/** A flag definition with server-like defaults (the shared test builder, typed loosely for odd shapes). */
export const flag = (key: string, filters: Json | null, extra: Json = {}): Json =>
  flagDefinition(key, filters, extra) as unknown as Json

/** One condition with these properties and an optional rollout. */
export const condition = (properties: Json[], rollout_percentage?: number | null, variant?: string): Json => ({
  properties,
  ...(rollout_percentage !== undefined ? { rollout_percentage } : {}),
  ...(variant !== undefined ? { variant } : {}),
})

export const person = (key: string, operator: string | undefined, value: unknown, extra: Json = {}): Json => ({
  key,
  ...(operator !== undefined ? { operator } : {}),
  value,
  type: 'person',
  ...extra,
})

/** Validated and prepared definitions (fails the test if validation rejects them). */
export function definitions(flags: Json[], cohorts: Json = {}, groupTypeMapping: Json = {}): PreparedDefinitions {
  const result = validateFlagDefinitions({ flags, cohorts, groupTypeMapping })
  if (!result.ok) throw new Error(`invalid test definitions: ${result.reason}`)
  return prepareDefinitions(result.data as FlagDefinitionCacheData)
}

export interface Who {
  distinctId?: string
  person?: Json
  groups?: Record<string, string | number>
  groupProperties?: Record<string, Json>
}

/** The outcome as one value: the flag value, or 'inconclusive' / 'requires-server' / 'error', undefined if unknown. */
export function evaluate(defs: PreparedDefinitions, key: string, who: Who = {}, deps?: DependencyCache): unknown {
  const distinctId = who.distinctId ?? 'some-id'
  const groups = who.groups ?? {}
  const groupProperties: Record<string, Json> = {}
  for (const name of Object.keys(groups)) {
    groupProperties[name] = { $group_key: groups[name], ...(who.groupProperties?.[name] ?? {}) }
  }
  const outcome = evaluateFlag(
    defs,
    key,
    { distinctId, groups, personProperties: { distinct_id: distinctId, ...(who.person ?? {}) }, groupProperties },
    deps
  )
  if (outcome === undefined) return undefined
  return outcome.kind === 'value' ? outcome.value : outcome.kind
}

/** Evaluates one person property condition (100% rollout) against one property map. */
export function matches(property: Json, personProperties: Json): unknown {
  return evaluate(definitions([flag('f', { groups: [condition([property])] })]), 'f', { person: personProperties })
}

export { createDependencyCache }
