// Every call into a user's FlagDefinitionCacheProvider goes through here: caught, time-boxed, counted, reported, and
// refused once the poller has stopped. A provider can therefore never break or block flag evaluation.
import type { FlagDefinitionCacheData, FlagDefinitionCacheProvider } from '../contracts/provider'
import { describeError, settleWithin, type Settled } from './settle'
import type { StatsRecorder } from './stats'

/** A cache read; `value` is unvalidated. */
export type CacheRead = { kind: 'hit'; value: unknown } | { kind: 'miss' } | { kind: 'failed' }

// Message prefixes are matched by upstream's tests and users' log filters.
const READ_FAILED = 'Failed to load from cache'
const SHOULD_FETCH_FAILED = 'Error in shouldFetchFlagDefinitions'
const STORE_FAILED = 'Failed to store in cache'
const SHUTDOWN_FAILED = 'Error during cache shutdown'

export class ProviderGuard {
  private closed = false
  private shutdownCall: Promise<void> | undefined

  constructor(
    private readonly provider: FlagDefinitionCacheProvider,
    private readonly timeoutMs: number,
    private readonly report: (error: Error) => void,
    private readonly stats: StatsRecorder
  ) {}

  /** Reports a cache read whose data was unusable, with the same prefix as a failed read. */
  reportInvalid(reason: string): void {
    this.report(new Error(`${READ_FAILED}: the cached flag definitions are invalid (${reason}); they were ignored`))
  }

  async read(): Promise<CacheRead> {
    if (this.closed) return { kind: 'failed' }
    const outcome = await settleWithin(() => this.provider.getFlagDefinitions(), this.timeoutMs)
    if (!this.succeeded(outcome, 'getFlagDefinitions', READ_FAILED, this.timeoutMs)) return { kind: 'failed' }
    // Any falsy value means "nothing cached", as upstream treats it.
    return outcome.value ? { kind: 'hit', value: outcome.value } : { kind: 'miss' }
  }

  /** Whether this process should fetch from the API. A throw or a timeout means yes: nobody else may be fetching. */
  async shouldFetch(): Promise<boolean> {
    if (this.closed) return false
    const outcome = await settleWithin(() => this.provider.shouldFetchFlagDefinitions(), this.timeoutMs)
    if (!this.succeeded(outcome, 'shouldFetchFlagDefinitions', SHOULD_FETCH_FAILED, this.timeoutMs)) return true
    return Boolean(outcome.value)
  }

  async store(data: FlagDefinitionCacheData): Promise<void> {
    if (this.closed) return
    const outcome = await settleWithin(() => this.provider.onFlagDefinitionsReceived(data), this.timeoutMs)
    this.succeeded(outcome, 'onFlagDefinitionsReceived', STORE_FAILED, this.timeoutMs)
  }

  /** No provider call is made after this. */
  close(): void {
    this.closed = true
  }

  /** Calls provider.shutdown() once, however often it is asked to, and waits at most `timeoutMs` for it. */
  shutdown(timeoutMs: number): Promise<void> {
    this.closed = true
    this.shutdownCall ??= settleWithin(() => this.provider.shutdown(), timeoutMs).then((outcome) => {
      this.succeeded(outcome, 'shutdown', SHUTDOWN_FAILED, timeoutMs)
    })
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
      this.stats.count('providerTimeouts')
      this.report(
        new Error(`${prefix}: ${method}() did not settle within ${timeoutMs}ms; the client went on without it`)
      )
    } else {
      this.stats.count('providerErrors')
      this.report(new Error(`${prefix}: ${describeError(outcome.error)}`))
    }
    return false
  }
}
