// The parts of Sentry's event and hub shapes the integrations read, declared here so the package does not depend on
// @sentry/*. Every field is optional, so Sentry's own `Event` (v7 and v8) satisfies `SentryEvent`.

// Spelled out rather than taken from @posthog/core, whose error-tracking types need the DOM lib: the published
// declarations must compile for Node users with `lib: ["es2022"]` only.
/** Sentry's event levels. */
export type SeverityLevel = 'fatal' | 'error' | 'warning' | 'log' | 'info' | 'debug'

/** One frame of a Sentry stack trace; passed on to PostHog unchanged, tagged `platform: 'node:javascript'`. */
export interface SentryStackFrame {
  /** The file, as Sentry reports it (often relative to the app root). */
  filename?: string
  /** The function name. */
  function?: string
  /** The module name Sentry derived from the path. */
  module?: string
  /** 1-based line number. */
  lineno?: number
  /** 1-based column number. */
  colno?: number
  /** The absolute path of the file. */
  abs_path?: string
  /** The source line of the frame. */
  context_line?: string
  /** Source lines before `context_line`. */
  pre_context?: string[]
  /** Source lines after `context_line`. */
  post_context?: string[]
  /** Whether the frame is application code rather than a dependency's. */
  in_app?: boolean
}

/** One exception of a Sentry event; the first one names the `$exception` PostHog receives. */
export interface SentryException {
  /** The error class, e.g. `TypeError`; sent as `$exception_type`. */
  type?: string
  /** The error message; sent as `$exception_message`. */
  value?: string
  /** The module the error came from. */
  module?: string
  /** The thread it was thrown on. */
  thread_id?: number | string
  /** Its stack trace. */
  stacktrace?: { frames?: SentryStackFrame[] }
}

/** The part of a Sentry event the integrations read and tag. */
export interface SentryEvent {
  /** Sentry's id of the event; links the PostHog `$exception` back to Sentry. */
  event_id?: string
  /** The event message, used when no exception carries one. */
  message?: string
  /** Only events whose level is in `severityAllowList` are forwarded. */
  level?: SeverityLevel
  /** `posthog_distinct_id` names the person; the integration adds `PostHog Person URL`. */
  tags?: { [key: string]: unknown }
  /** The exceptions of the event. */
  exception?: { values?: SentryException[] }
}

/** Processes an event and hands back the same object (possibly with tags added). */
export type SentryEventProcessor = <E extends SentryEvent>(event: E) => E

/** Sentry v7 hub: only the DSN's project id is read. */
export interface SentryHub {
  /** The current Sentry client, whose DSN holds the project id. */
  getClient(): { getDsn(): { projectId?: string | number } | undefined } | undefined
}

/** Options of the Sentry integrations. */
export type SentryIntegrationOptions = {
  /** Your Sentry organization slug; with `projectId`, each `$exception` gets a `$sentry_url` link. */
  organization?: string
  /** Your Sentry project id (the v7 class integration reads it from the DSN instead). */
  projectId?: number
  /** The start of Sentry issue URLs, for self-hosted Sentry (default `https://sentry.io/organizations/`). */
  prefix?: string
  /** The Sentry levels forwarded to PostHog (default `['error']`); `'*'` forwards every level. */
  severityAllowList?: SeverityLevel[] | '*'
  /** `false` only tags Sentry events with the PostHog person URL and sends nothing to PostHog (default `true`). */
  sendExceptionsToPostHog?: boolean
}
