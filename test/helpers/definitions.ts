// Flag definitions for tests, in the two shapes they travel in: the local_evaluation API body (snake_case keys) and
// the `FlagDefinitionCacheData` a provider stores (camelCase). One builder, so every test starts from the same
// server-like defaults and states only what its behaviour depends on.
import type { FlagDefinitionCacheData } from '../../src/contracts/provider'
import type { PostHogFeatureFlag } from '../../src/contracts/flag-definitions'

type Json = Record<string, unknown>

/** Filters of a flag that is on for everyone: one condition without properties, rolled out to 100%. */
export const ON_FOR_EVERYONE: Json = { groups: [{ properties: [], rollout_percentage: 100 }] }

/**
 * A flag as PostHog serves it: active, not deleted, no flag-level rollout, `filters` on for everyone unless given.
 * Tests may pass shapes the types do not describe (odd operators, extra fields): the result is typed anyway.
 */
export function flagDefinition(
  key: string,
  filters: Json | null = ON_FOR_EVERYONE,
  extra: Json = {}
): PostHogFeatureFlag {
  return {
    id: 1,
    name: key,
    key,
    active: true,
    deleted: false,
    rollout_percentage: null,
    ensure_experience_continuity: false,
    experiment_set: [],
    filters,
    ...extra,
  } as PostHogFeatureFlag
}

export interface DefinitionSetOptions {
  /** Group type index (as a string) to group type name; default none. */
  groupTypeMapping?: Record<string, string>
  /** Cohort id (as a string) to its property group; default none. */
  cohorts?: Record<string, unknown>
}

/** A flag given by key alone is `flagDefinition(key)`. */
const toFlag = (flag: string | PostHogFeatureFlag): PostHogFeatureFlag =>
  typeof flag === 'string' ? flagDefinition(flag) : flag

/** Definitions as a provider stores and returns them. */
export function cacheDefinitions(
  flags: (string | PostHogFeatureFlag)[],
  { groupTypeMapping = {}, cohorts = {} }: DefinitionSetOptions = {}
): FlagDefinitionCacheData {
  return { flags: flags.map(toFlag), groupTypeMapping, cohorts } as FlagDefinitionCacheData
}

/** The same definitions as `/api/feature_flag/local_evaluation` serves them. */
export function apiDefinitions(
  flags: (string | PostHogFeatureFlag)[],
  { groupTypeMapping = {}, cohorts = {} }: DefinitionSetOptions = {}
): { flags: PostHogFeatureFlag[]; group_type_mapping: Record<string, string>; cohorts: Record<string, unknown> } {
  return { flags: flags.map(toFlag), group_type_mapping: groupTypeMapping, cohorts }
}
