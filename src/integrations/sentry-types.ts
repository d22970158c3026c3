// The parts of Sentry's event and hub shapes the integrations read, declared here so the package does not depend on
// @sentry/*. Every field is optional, so Sentry's own `Event` (v7 and v8) satisfies `SentryEvent`.

// Spelled out rather than taken from @posthog/core, whose error-tracking types need the DOM lib: the published
// declarations must compile for Node users with `lib: ["es2022"]` only.
export type SeverityLevel = 'fatal' | 'error' | 'warning' | 'log' | 'info' | 'debug'

export interface SentryStackFrame {
  filename?: string
  function?: string
  module?: string
  lineno?: number
  colno?: number
  abs_path?: string
  context_line?: string
  pre_context?: string[]
  post_context?: string[]
  in_app?: boolean
}

export interface SentryException {
  type?: string
  value?: string
  module?: string
  thread_id?: number | string
  stacktrace?: { frames?: SentryStackFrame[] }
}

export interface SentryEvent {
  event_id?: string
  message?: string
  level?: SeverityLevel
  tags?: { [key: string]: unknown }
  exception?: { values?: SentryException[] }
}

/** Processes an event and hands back the same object (possibly with tags added). */
export type SentryEventProcessor = <E extends SentryEvent>(event: E) => E

/** Sentry v7 hub: only the DSN's project id is read. */
export interface SentryHub {
  getClient(): { getDsn(): { projectId?: string | number } | undefined } | undefined
}

export type SentryIntegrationOptions = {
  organization?: string
  projectId?: number
  prefix?: string
  severityAllowList?: SeverityLevel[] | '*'
  sendExceptionsToPostHog?: boolean
}
