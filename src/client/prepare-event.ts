// The capture family's preparation: hooks, flag properties, `$groups`, bot pageviews. Shared by capture,
// captureImmediate and everything built on them ($feature_flag_called, $exception).
import {
  isBlockedUA,
  type FeatureFlagValue,
  type JsonType,
  type Logger,
  type PostHogCaptureOptions,
  type PostHogEventProperties,
} from '@posthog/core'
import { runBeforeSend } from './before-send'
import { flagPropertiesForEvent } from './event-flag-properties'
import type { EventMessage, PostHogOptions, SendFeatureFlagsOptions } from './types'

/** An event after hooks and flag lookups: what the client hands to core's queue. */
export interface PreparedEvent {
  /** Whose event it is. */
  distinctId: string
  /** The event name. */
  event: string
  /** The properties to send, `$groups` and flag properties included. */
  properties: PostHogEventProperties
  /** Core's capture options: timestamp, uuid, `disableGeoip`. */
  options: PostHogCaptureOptions
}

export interface PrepareEventContext {
  options: PostHogOptions
  logger: Logger
  flagsForEvent(
    distinctId: string,
    groups: Record<string, string | number> | undefined,
    disableGeoip: boolean | undefined,
    sendFeatureFlagsOptions: SendFeatureFlagsOptions | undefined
  ): Promise<Record<string, FeatureFlagValue> | undefined>
}

/**
 * Resolves what core should enqueue for `props`, or rejects with `null` when a `before_send` hook dropped it.
 * Flags are looked up with the caller's original distinct id, groups and `sendFeatureFlags` (a hook cannot change
 * them); a failed lookup only costs the flag properties.
 */
export async function prepareEvent(context: PrepareEventContext, props: EventMessage): Promise<PreparedEvent> {
  const { distinctId, event, properties, groups, sendFeatureFlags, timestamp, disableGeoip, uuid } = props
  const message = runBeforeSend(
    context.options.before_send,
    { distinctId, event, properties, groups, sendFeatureFlags, timestamp, disableGeoip, uuid },
    context.logger
  )
  if (!message) {
    // Rejecting with null (not an Error) tells the capture methods the drop was intentional.
    return Promise.reject(null)
  }

  let flagProperties: PostHogEventProperties = {}
  if (sendFeatureFlags) {
    try {
      const sendOptions = typeof sendFeatureFlags === 'object' ? sendFeatureFlags : undefined
      const flags = await context.flagsForEvent(distinctId, groups, disableGeoip, sendOptions)
      flagProperties = flagPropertiesForEvent(flags)
    } catch {
      flagProperties = {}
    }
  } else {
    // Keeps the preparation asynchronous in every case, as callers observe (capture never enqueues synchronously).
    await Promise.resolve()
  }

  // User properties win over flag properties; $groups always reflects the message's groups.
  const finalProperties: PostHogEventProperties = {
    ...flagProperties,
    ...(message.properties ?? {}),
    // undefined is dropped by JSON; core's property type does not admit it.
    $groups: (message.groups ?? groups) as JsonType,
  }

  let finalEvent = message.event
  const userAgent = finalProperties.$raw_user_agent
  if (
    finalEvent === '$pageview' &&
    context.options.__preview_capture_bot_pageviews &&
    typeof userAgent === 'string' &&
    isBlockedUA(userAgent, context.options.custom_blocked_useragents ?? [])
  ) {
    finalEvent = '$bot_pageview'
    finalProperties.$browser_type = 'bot'
  }

  return {
    distinctId: message.distinctId,
    event: finalEvent,
    properties: finalProperties,
    options: { timestamp: message.timestamp, disableGeoip: message.disableGeoip, uuid: message.uuid },
  }
}
