export { setupExpressErrorHandler } from './express'
export type { ExpressErrorMiddleware, MiddlewareError } from './express'
export type { PostHogLike, PostHogWithPendingWork } from './posthog-like'
export { createEventProcessor, PostHogSentryIntegration, sentryIntegration } from './sentry'
export type {
  SentryEvent,
  SentryEventProcessor,
  SentryException,
  SentryHub,
  SentryIntegrationOptions,
  SentryStackFrame,
  SeverityLevel,
} from './sentry-types'
