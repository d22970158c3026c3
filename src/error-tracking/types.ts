// What error tracking needs from the client, typed structurally so this folder does not depend on the client class.
import { type ErrorTracking as CoreErrorTracking, type Logger } from '@posthog/core'

export type EventHint = CoreErrorTracking.EventHint
export type ExceptionLevel = CoreErrorTracking.SeverityLevel

/**
 * The `$exception` message this module produces. Structurally a subset of the public `EventMessage`, so it can be
 * handed to `capture`/`captureImmediate` as it is.
 */
export interface ExceptionEventMessage {
  event: string
  distinctId: string
  properties: Record<string | number, unknown>
}

/** The part of the PostHog client that exception capture and autocapture use. */
export interface ErrorTrackingClient {
  capture(message: ExceptionEventMessage): void
  captureImmediate(message: ExceptionEventMessage): Promise<void>
  addPendingPromise<T>(promise: Promise<T>): Promise<T>
  shutdown(shutdownTimeoutMs?: number): Promise<void>
}

export interface ErrorTrackingOptions {
  enableExceptionAutocapture?: boolean
  disabled?: boolean
}

/** Debug-only messages go to `info`/`error`; core's client logger fits. */
export type ErrorTrackingLogger = Pick<Logger, 'info' | 'error'>
