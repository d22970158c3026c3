// The `posthog-node` entry for Node.js. Import side effects: synchronous node:crypto SHA-1 for flag bucketing and
// exception frames with module names and source context.
import { PostHogBackendClient } from '../client/client'
import { installNodeErrorTracking } from '../error-tracking/node'
import { setSha1Implementation } from '../evaluation/hash'
import { nodeSha1Hex } from '../evaluation/sha1-node'

// node:crypto's SHA-1 is native and synchronous: bucketing many flags per request stays cheap.
setSha1Implementation(nodeSha1Hex)
installNodeErrorTracking()

export * from './exports'

/** The PostHog client for Node.js. */
export class PostHog extends PostHogBackendClient {
  /** Sent as `$lib` and in the User-Agent. */
  getLibraryId(): string {
    return 'posthog-node'
  }
}
