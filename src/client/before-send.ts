import type { Logger } from '@posthog/core'
import type { BeforeSendFn, EventMessage } from './types'

/**
 * Runs the `before_send` hooks in order. Returns the message to send, or `null` when a hook dropped it.
 * A throwing hook propagates: the caller reports it and drops the event.
 */
export function runBeforeSend(
  hooks: BeforeSendFn | BeforeSendFn[] | undefined,
  message: EventMessage,
  logger: Logger
): EventMessage | null {
  if (!hooks) {
    return message
  }
  let result: EventMessage | null = message
  for (const hook of Array.isArray(hooks) ? hooks : [hooks]) {
    result = hook(result)
    if (!result) {
      logger.info(`Event '${message.event}' was rejected in beforeSend function`)
      return null
    }
    if (!result.properties || Object.keys(result.properties).length === 0) {
      logger.warn(`Event '${result.event}' has no properties after beforeSend function, this is likely an error.`)
    }
  }
  return result
}
