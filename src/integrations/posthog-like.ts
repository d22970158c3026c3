// What the integrations use of a PostHog client, typed structurally so they do not depend on the client class.
import type { EventMessage } from '../contracts/events'

export interface PostHogLike {
  readonly apiKey: string
  readonly options?: { host?: string }
  capture(message: EventMessage): void
}

/** The Express handler also registers its work as pending when the client supports it, so shutdown waits for it. */
export interface PostHogWithPendingWork extends PostHogLike {
  addPendingPromise?<T>(promise: Promise<T>): Promise<T>
}
