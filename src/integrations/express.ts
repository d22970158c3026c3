// Express error middleware: captures the error as an anonymous `$exception` and passes it on unchanged.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { uuidv7 } from '@posthog/core'
import { ErrorTracking } from '../error-tracking'
import { type PostHogWithPendingWork } from './posthog-like'

/** An error as Express hands it to error middleware (HTTP status fields are common but optional). */
export interface MiddlewareError extends Error {
  /** The HTTP status, as Express and http-errors set it. */
  status?: number | string
  /** The HTTP status, as some frameworks name it. */
  statusCode?: number | string
  /** The HTTP status, snake_case variant. */
  status_code?: number | string
  /** Boom-style errors keep the status here. */
  output?: { statusCode?: number | string }
}

/** An Express error-handling middleware: four parameters, the error first. */
export type ExpressErrorMiddleware = (
  error: MiddlewareError,
  req: IncomingMessage,
  res: ServerResponse,
  next: (error: MiddlewareError) => void
) => void

/** Registers an error handler on an Express app; add it after your routes, like any Express error middleware. */
export function setupExpressErrorHandler(
  posthog: PostHogWithPendingWork,
  // A method, so any app whose `use` takes error middleware fits (Express's overloads, test doubles, routers)
  app: { use(middleware: ExpressErrorMiddleware): unknown }
): void {
  const handler: ExpressErrorMiddleware = (error, _req, _res, next) => {
    const hint = { mechanism: { type: 'middleware' as const, handled: false } }
    const work = ErrorTracking.buildEventMessage(error, hint, uuidv7(), { $process_person_profile: false })
      .then((message) => posthog.capture(message))
      .catch(() => {
        // never let a failed capture become an unhandled rejection in the user's server
      })
    void posthog.addPendingPromise?.(work)
    next(error)
  }
  app.use(handler)
}
