// The `posthog-node` entry for edge runtimes (Vercel edge, Cloudflare workers): no node builtins, pure-JS SHA-1,
// exception frames without source context.
import { PostHogBackendClient } from '../client/client'
import { installEdgeErrorTracking } from '../error-tracking'

installEdgeErrorTracking()

export * from './exports'

/** The PostHog client for edge runtimes. */
export class PostHog extends PostHogBackendClient {
  /** Sent as `$lib` and in the User-Agent. */
  getLibraryId(): string {
    return 'posthog-edge'
  }
}
