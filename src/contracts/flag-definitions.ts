// The shapes of flag definitions as the local_evaluation endpoint serves them and as providers store them.
// Public (re-exported from the package entry), so they keep the names and shapes users already compile against.

/** A value a property condition compares against. */
export type FlagPropertyValue = string | number | (string | number)[] | boolean

/** One condition on a person, group, cohort or flag property. */
export type FlagProperty = {
  key: string
  type?: string
  value: FlagPropertyValue
  operator?: string
  negation?: boolean
  dependency_chain?: string[]
}

/** A boolean combination of properties or of nested groups (cohort definitions use these). */
export type PropertyGroup = {
  type: 'AND' | 'OR'
  values: PropertyGroup[] | FlagProperty[]
}

/** One release condition of a flag: all properties must match, then the rollout decides. */
export type FeatureFlagCondition = {
  properties: FlagProperty[]
  rollout_percentage?: number
  variant?: string
}

/** One flag definition as served by `/api/feature_flag/local_evaluation`. */
export type PostHogFeatureFlag = {
  id: number
  name: string
  key: string
  filters?: {
    aggregation_group_type_index?: number
    groups?: FeatureFlagCondition[]
    multivariate?: {
      variants: {
        key: string
        rollout_percentage: number
      }[]
    }
    payloads?: Record<string, string>
  }
  deleted: boolean
  active: boolean
  rollout_percentage: null | number
  ensure_experience_continuity: boolean
  experiment_set: number[]
}
