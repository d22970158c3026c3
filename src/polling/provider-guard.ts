// Every call into a user's FlagDefinitionCacheProvider goes through here: caught, time-boxed, counted, reported, and
// refused once the poller has stopped. A provider can therefore never break or block flag evaluation.
import type { FlagDefinitionCacheData, FlagDefinitionCacheProvider } from '../contracts/provider'
import { describeError, settleWithin, type Settled, type Timers } from '../shared/async'
import type { OncePerKind } from '../shared/once-per-kind'
import type { StatsRecorder } from './stats'

/** What the provider answered to a read; `value` is unvalidated. */
export type ProviderRead = { kind: 'hit'; value: unknown } | { kind: 'miss' } | { kind: 'failed'; timedOut: boolean }

// Message prefixes are matched by upstream's tests and users' log filters.
const READ_FAILED = 'Failed to load from cache'
const SHOULD_FETCH_FAILED = 'Error in shouldFetchFlagDefinitions'
const WRITE_FAILED = 'Failed to store in cache'
const SHUTDOWN_FAILED = 'Error during cache shutdown'
const NOT_MODIFIED_FAILED = 'Failed to mark the cached flag definitions fresh'
const SUBSCRIBE_FAILED = 'Failed to subscribe to flag definition changes'

export interface ProviderGuardOptions {
  /** Bound of each call (`flagDefinitionCacheProviderTimeoutMs`), shutdown included. */
  timeoutMs: number
  /** The client's 'error' event: every failure. */
  report: (error: Error) => void
  stats: StatsRecorder
  /** The bounds' timers: they hold the process while a caller waits on the call. */
  timers: Timers
  /**
   * The log every failure also goes to, once per kind (method and way of failing), so that a failing provider is
   * visible even when nobody listens to 'error'.
   */
  warnings: OncePerKind
}

export class ProviderGuard {
  private closed = false
  private shutdownCall: Promise<void> | undefined
  readonly timeoutMs: number

  constructor(
    private readonly provider: FlagDefinitionCacheProvider,
    private readonly options: ProviderGuardOptions
  ) {
    this.timeoutMs = options.timeoutMs
  }

  /** Reports a cache read whose data was unusable, with the same prefix as a failed read. */
  reportInvalid(reason: string): void {
    this.fail(
      'invalid',
      new Error(`${READ_FAILED}: the cached flag definitions are invalid (${reason}); they were ignored`)
    )
  }

  async read(timeoutMs = this.timeoutMs): Promise<ProviderRead> {
    if (this.closed) return { kind: 'failed', timedOut: false }
    const outcome = await settleWithin(() => this.provider.getFlagDefinitions(), timeoutMs, this.options.timers)
    if (!this.succeeded(outcome, 'getFlagDefinitions', READ_FAILED, timeoutMs)) {
      return { kind: 'failed', timedOut: outcome.status === 'timeout' }
    }
    // Any falsy value means "nothing cached", as upstream treats it.
    return outcome.value ? { kind: 'hit', value: outcome.value } : { kind: 'miss' }
  }

  /** Whether this process should fetch from the API. A throw or a timeout means yes: nobody else may be fetching. */
  async shouldFetch(timeoutMs = this.timeoutMs): Promise<boolean> {
    if (this.closed) return false
    const outcome = await settleWithin(() => this.provider.shouldFetchFlagDefinitions(), timeoutMs, this.options.timers)
    if (!this.succeeded(outcome, 'shouldFetchFlagDefinitions', SHOULD_FETCH_FAILED, timeoutMs)) return true
    return Boolean(outcome.value)
  }

  async write(data: FlagDefinitionCacheData): Promise<void> {
    if (this.closed) return
    const outcome = await settleWithin(
      () => this.provider.onFlagDefinitionsReceived(data),
      this.timeoutMs,
      this.options.timers
    )
    this.succeeded(outcome, 'onFlagDefinitionsReceived', WRITE_FAILED, this.timeoutMs)
  }

  /** Whether the provider can take a 304 (see onFlagDefinitionsNotModified); only then may a fetch send an ETag. */
  get handlesNotModified(): boolean {
    return typeof this.provider.onFlagDefinitionsNotModified === 'function'
  }

  /**
   * After a 304: lets the provider mark its entry fresh. False only when the provider said its entry holds other
   * data (the caller then downloads in full); a failure counts as done, the lease lapses by itself.
   */
  async notModified(etag: string): Promise<boolean> {
    if (this.closed) return true
    const outcome = await settleWithin(
      () => this.provider.onFlagDefinitionsNotModified!(etag),
      this.timeoutMs,
      this.options.timers
    )
    if (!this.succeeded(outcome, 'onFlagDefinitionsNotModified', NOT_MODIFIED_FAILED, this.timeoutMs)) return true
    return outcome.value !== false
  }

  /** Subscribes once if the provider can push; returns what ends the subscription, or undefined. */
  subscribe(onChange: () => void): (() => unknown) | undefined {
    if (this.closed || typeof this.provider.subscribe !== 'function') return undefined
    try {
      const unsubscribe = this.provider.subscribe(onChange)
      return typeof unsubscribe === 'function' ? unsubscribe : undefined
    } catch (error) {
      this.options.stats.count('providerErrors')
      this.fail(
        'subscribe:error',
        new Error(`${SUBSCRIBE_FAILED}: ${describeError(error)}; new definitions arrive with polling`)
      )
      return undefined
    }
  }

  /** Ends a subscription, bounded like every other call. */
  async unsubscribe(unsubscribe: () => unknown, timeoutMs: number): Promise<void> {
    const outcome = await settleWithin(unsubscribe, timeoutMs, this.options.timers)
    this.succeeded(outcome, 'the unsubscribe function', SUBSCRIBE_FAILED, timeoutMs)
  }

  /** No provider call is made after this. */
  close(): void {
    this.closed = true
  }

  /** Calls provider.shutdown() once, however often it is asked to, and waits at most `timeoutMs` for it. */
  shutdown(timeoutMs: number): Promise<void> {
    this.closed = true
    this.shutdownCall ??= settleWithin(() => this.provider.shutdown(), timeoutMs, this.options.timers).then(
      (outcome) => {
        this.succeeded(outcome, 'shutdown', SHUTDOWN_FAILED, timeoutMs)
      }
    )
    return this.shutdownCall
  }

  private succeeded<T>(
    outcome: Settled<T>,
    method: string,
    prefix: string,
    timeoutMs: number
  ): outcome is { status: 'ok'; value: T } {
    if (outcome.status === 'ok') return true
    if (outcome.status === 'timeout') {
      this.options.stats.count('providerTimeouts')
      this.fail(
        `${method}:timeout`,
        new Error(`${prefix}: ${method}() did not settle within ${timeoutMs}ms; the client went on without it`)
      )
    } else {
      this.options.stats.count('providerErrors')
      this.fail(`${method}:error`, new Error(`${prefix}: ${describeError(outcome.error)}`))
    }
    return false
  }

  private fail(kind: string, error: Error): void {
    this.options.warnings.warn(
      kind,
      `[PostHog] ${error.message} (logged once per kind of failure; every occurrence is emitted as an 'error' ` +
        `event and counted in getFlagDefinitionsStats())`
    )
    this.options.report(error)
  }
}
