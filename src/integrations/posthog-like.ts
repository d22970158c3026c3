// What the integrations use of a PostHog client, typed structurally so they do not depend on the client class.
import type { EventMessage } from '../contracts/events'

/** What the integrations need of a PostHog client; a `PostHog` instance fits. */
export interface PostHogLike {
  /** The project API key, used in the person URLs added to Sentry events. */
  readonly apiKey: string
  /** `host` is the PostHog instance the person URLs point at (default `https://us.i.posthog.com`). */
  readonly options?: { host?: string }
  /** Queues an event. */
  capture(message: EventMessage): void
}

/** The Express handler also registers its work as pending when the client supports it, so shutdown waits for it. */
export interface PostHogWithPendingWork extends PostHogLike {
  /** Registers work that `shutdown()` waits for. */
  addPendingPromise?<T>(promise: Promise<T>): Promise<T>
}
