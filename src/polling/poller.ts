// STUB: the polling helper replaces this file; the signatures are the contract the client relies on.
import type { PostHogFetchOptions, PostHogFetchResponse } from '@posthog/core'
import type { FlagDefinitionCacheProvider } from '../experimental/provider'
import type { PreparedDefinitions } from '../evaluation'
import type { FlagDefinitionsStats } from './stats'

export type FetchFn = (url: string, options: PostHogFetchOptions) => Promise<PostHogFetchResponse>

export interface PollerOptions {
  projectApiKey: string
  personalApiKey: string
  /** Without trailing slash. */
  host: string
  /** Already validated by the client (finite, >= 100). */
  pollingIntervalMs: number
  /** Timeout of one definitions request (the client's requestTimeout). */
  requestTimeoutMs: number
  /** Looked up on every request so that replacing global fetch later takes effect; called unbound. */
  getFetch: () => FetchFn
  /** Sent with every definitions request (User-Agent). */
  customHeaders: Record<string, string>
  provider?: FlagDefinitionCacheProvider
  /** Bound for each provider call except shutdown. */
  providerTimeoutMs: number
  onError: (error: Error) => void
  onLoad: (flagCount: number) => void
}

export class DefinitionsPoller {
  constructor(_options: PollerOptions) {
    throw new Error('not implemented')
  }
  /** The definitions in memory, or undefined before the first successful load. */
  get definitions(): PreparedDefinitions | undefined {
    return undefined
  }
  get loadedSuccessfullyOnce(): boolean {
    return false
  }
  /** The load gate: resolves once a load has been attempted when nothing is loaded yet. Never rejects. */
  ensureLoaded(): Promise<void> {
    return Promise.resolve()
  }
  /** Forces a refresh now (joins one in flight). Never rejects. */
  reload(): Promise<void> {
    return Promise.resolve()
  }
  getStats(): FlagDefinitionsStats {
    throw new Error('not implemented')
  }
  debug(_enabled: boolean): void {}
  /** Terminal and idempotent: stops the timer and awaits provider.shutdown() once, bounded by timeoutMs. */
  stop(_timeoutMs: number): Promise<void> {
    return Promise.resolve()
  }
}
