// Sentry integrations: tag Sentry events with a link to the PostHog person and mirror them as `$exception` events.
import { type PostHogLike } from './posthog-like'
import {
  type SentryEvent,
  type SentryEventProcessor,
  type SentryException,
  type SentryHub,
  type SentryIntegrationOptions,
  type SeverityLevel,
} from './sentry-types'

const INTEGRATION_NAME = 'posthog-node'
const POSTHOG_ID_TAG = 'posthog_distinct_id'
const DEFAULT_UI_HOST = 'https://us.i.posthog.com'
const DEFAULT_SENTRY_PREFIX = 'https://sentry.io/organizations/'

function toPostHogException(exception: SentryException): Record<string, unknown> {
  const { stacktrace } = exception
  return {
    ...exception,
    stacktrace: stacktrace
      ? {
          ...stacktrace,
          type: 'raw',
          frames: (stacktrace.frames ?? []).map((frame) => ({ ...frame, platform: 'node:javascript' })),
        }
      : undefined,
  }
}

function personUrlOf(posthog: PostHogLike, distinctId: unknown): string | undefined {
  try {
    return new URL(`/project/${posthog.apiKey}/person/${String(distinctId)}`, posthog.options?.host ?? DEFAULT_UI_HOST)
      .href
  } catch {
    // An unparsable `host` option must not make Sentry drop the user's event; it only loses the link.
    return undefined
  }
}

/**
 * A Sentry event processor: for events at an allowed level whose `posthog_distinct_id` tag names a person, it tags
 * the event with the person's PostHog URL and captures a matching `$exception` in PostHog. Events pass through
 * unchanged otherwise.
 */
export function createEventProcessor(
  posthog: PostHogLike,
  {
    organization,
    projectId,
    prefix,
    severityAllowList = ['error'],
    sendExceptionsToPostHog = true,
  }: SentryIntegrationOptions = {}
): SentryEventProcessor {
  return <E extends SentryEvent>(event: E): E => {
    const levelAllowed = severityAllowList === '*' || severityAllowList.includes(event.level as SeverityLevel)
    if (!levelAllowed) return event
    const tags = (event.tags ??= {})
    const distinctId = tags[POSTHOG_ID_TAG]
    if (distinctId === undefined) return event

    const personUrl = personUrlOf(posthog, distinctId)
    if (personUrl) tags['PostHog Person URL'] = personUrl

    const exceptions = event.exception?.values ?? []
    const first = exceptions[0]
    const message = first?.value || event.message
    const properties: Record<string, unknown> = {
      $exception_message: message,
      $exception_type: first?.type,
      $exception_level: event.level,
      $exception_list: exceptions.map(toPostHogException),
      $sentry_event_id: event.event_id,
      $sentry_exception: event.exception,
      $sentry_exception_message: message,
      $sentry_exception_type: first?.type,
      $sentry_tags: tags,
    }
    if (organization && projectId) {
      properties.$sentry_url = `${prefix || DEFAULT_SENTRY_PREFIX}${organization}/issues/?project=${projectId}&query=${event.event_id}`
    }
    if (sendExceptionsToPostHog) {
      posthog.capture({ event: '$exception', distinctId: String(distinctId), properties })
    }
    return event
  }
}

/** Sentry v8+ (function-style) integration. */
export function sentryIntegration(
  posthog: PostHogLike,
  options?: SentryIntegrationOptions
): { name: string; processEvent: SentryEventProcessor } {
  const processor = createEventProcessor(posthog, options)
  return {
    name: INTEGRATION_NAME,
    processEvent: (event) => processor(event),
  }
}

/** Sentry v7 (class-style) integration; the project id for `$sentry_url` comes from the hub's DSN. */
export class PostHogSentryIntegration {
  /** The Sentry tag that carries the PostHog distinct id: set it with `Sentry.setTag`. */
  static readonly POSTHOG_ID_TAG = POSTHOG_ID_TAG
  /** The integration's name, as Sentry lists it. */
  readonly name = INTEGRATION_NAME
  /** Called once by Sentry v7: registers the event processor. */
  readonly setupOnce: (
    addGlobalEventProcessor: (callback: SentryEventProcessor) => void,
    getCurrentHub: () => SentryHub | undefined
  ) => void

  constructor(
    posthog: PostHogLike,
    organization?: string,
    prefix?: string,
    severityAllowList?: SeverityLevel[] | '*',
    sendExceptionsToPostHog?: boolean
  ) {
    this.setupOnce = (addGlobalEventProcessor, getCurrentHub) => {
      const dsnProjectId = getCurrentHub()?.getClient()?.getDsn()?.projectId
      addGlobalEventProcessor(
        createEventProcessor(posthog, {
          organization,
          // Sentry DSNs carry the id as a string; the URL only needs its text.
          projectId: dsnProjectId as number | undefined,
          prefix,
          severityAllowList,
          sendExceptionsToPostHog: sendExceptionsToPostHog ?? true,
        })
      )
    }
  }
}
