// What both `posthog-node` entries (node and edge) export besides their PostHog class.
export type {
  BeforeSendFn,
  EventMessage,
  FeatureFlagCondition,
  FlagDefinitionCacheData,
  FlagDefinitionCacheProvider,
  FlagProperty,
  FlagPropertyValue,
  GroupIdentifyMessage,
  IPostHog,
  IdentifyMessage,
  PostHogFeatureFlag,
  PostHogOptions,
  PropertyGroup,
  SendFeatureFlagsOptions,
} from './public-types'
export {
  PostHogSentryIntegration,
  createEventProcessor,
  sentryIntegration,
  setupExpressErrorHandler,
  type SentryIntegrationOptions,
} from '../integrations'
