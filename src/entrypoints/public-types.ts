// The type-only part of the package surface, identical for the node and edge builds.
export type {
  BeforeSendFn,
  EventMessage,
  FeatureFlagCondition,
  FlagProperty,
  FlagPropertyValue,
  GroupIdentifyMessage,
  IPostHog,
  IdentifyMessage,
  PostHogFeatureFlag,
  PostHogOptions,
  PropertyGroup,
  SendFeatureFlagsOptions,
} from '../client/types'
// Also reachable here (upstream only has them under posthog-node/experimental, unreachable on node10 resolution).
export type { FlagDefinitionCacheProvider, FlagDefinitionCacheData } from '../contracts/provider'
// What `getFlagDefinitionsStats()` returns.
export type { FlagDefinitionsStats } from '../contracts/stats'
