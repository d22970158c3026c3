// What both `posthog-node` entries (node and edge) export besides their PostHog class.
export type * from './public-types'
export {
  PostHogSentryIntegration,
  createEventProcessor,
  sentryIntegration,
  setupExpressErrorHandler,
  type SentryIntegrationOptions,
} from '../integrations'
