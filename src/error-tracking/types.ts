// What error tracking needs from the client, typed structurally so this folder does not depend on the client class.
import { type ErrorTracking as CoreErrorTracking, type Logger } from '@posthog/core'
import type { EventMessage } from '../contracts/events'

export type EventHint = CoreErrorTracking.EventHint
export type ExceptionLevel = CoreErrorTracking.SeverityLevel

/**
 * The `$exception` message this module builds: a public `EventMessage` (type-only import, no runtime dependency on
 * the client) whose properties are always present.
 */
export type ExceptionEventMessage = EventMessage & { properties: Record<string | number, unknown> }

/** The part of the PostHog client that exception capture and autocapture use. */
export interface ErrorTrackingClient {
  capture(message: EventMessage): void
  captureImmediate(message: EventMessage): Promise<void>
  addPendingPromise<T>(promise: Promise<T>): Promise<T>
  shutdown(shutdownTimeoutMs?: number): Promise<void>
}

export interface ErrorTrackingOptions {
  enableExceptionAutocapture?: boolean
  disabled?: boolean
}

/** Debug-only messages go to `info`/`error`; core's client logger fits. */
export type ErrorTrackingLogger = Pick<Logger, 'info' | 'error'>
