// Process-level listeners for exception autocapture. Each install returns the function that removes what it added.
import { type EventHint } from './types'

type CaptureFn = (error: unknown, hint: EventHint) => void
type Listener = (...args: unknown[]) => void

// Marks our uncaughtException handlers. Any PostHog handler (from any client instance) carries it, so none of them
// counts as the user's own handler when deciding whether the process would have died.
const POSTHOG_HANDLER_MARK = '_posthogErrorHandler'
// Node's domain module installs this helper; it is not a user handler either.
const NODE_DOMAIN_HELPER = 'domainUncaughtExceptionClear'

function isUserListener(listener: Listener): boolean {
  const marked = (listener as Listener & { [POSTHOG_HANDLER_MARK]?: boolean })[POSTHOG_HANDLER_MARK] === true
  return !marked && listener.name !== NODE_DOMAIN_HELPER
}

/**
 * Captures uncaught exceptions. When no other (user) listener exists, Node would have exited, so `onFatal` runs
 * once to flush and exit.
 */
export function addUncaughtExceptionListener(capture: CaptureFn, onFatal: (error: unknown) => void): () => void {
  let fatalStarted = false
  const handler = Object.assign(
    (error: unknown): void => {
      const processWouldExit = process.listeners('uncaughtException').every((l) => !isUserListener(l as Listener))
      capture(error, { mechanism: { type: 'onuncaughtexception', handled: false } })
      if (processWouldExit && !fatalStarted) {
        fatalStarted = true
        onFatal(error)
      }
    },
    { [POSTHOG_HANDLER_MARK]: true }
  )
  process.on('uncaughtException', handler)
  return () => {
    process.off('uncaughtException', handler)
  }
}

/**
 * Captures unhandled promise rejections. Like upstream, it does not exit: having any listener turns off Node's
 * default crash on unhandled rejections (kept for parity: users may rely on it).
 */
export function addUnhandledRejectionListener(capture: CaptureFn): () => void {
  const handler = (reason: unknown): void => {
    capture(reason, { mechanism: { type: 'onunhandledrejection', handled: false } })
  }
  process.on('unhandledRejection', handler)
  return () => {
    process.off('unhandledRejection', handler)
  }
}
