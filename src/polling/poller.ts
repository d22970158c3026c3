// The refresh loop of local evaluation. One load runs at a time (start-up, ticks, reloads and on-demand loads all
// share it); the next tick is armed only after a load settles; stop() is final. What one load does is in refresh.ts.
import type { FlagDefinitionCacheProvider } from '../contracts/provider'
import type { PreparedDefinitions } from '../evaluation'
import { Backoff } from './backoff'
import { requestDefinitions, type FetchFn, type RequestOutcome } from './definitions-request'
import { DefinitionsStore } from './definitions-store'
import { ProviderGuard } from './provider-guard'
import { refresh, type RefreshContext } from './refresh'
import { describeError, settleWithin } from './settle'
import { StatsRecorder, type FlagDefinitionsStats } from './stats'
import { sanitizeDelay, unrefTimeout, type TimerHandle } from './timers'

export type { FetchFn } from './definitions-request'

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

export const DEFAULT_POLLING_INTERVAL_MS = 30_000
export const MIN_POLLING_INTERVAL_MS = 100
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000
export const DEFAULT_PROVIDER_TIMEOUT_MS = 10_000
const DEFAULT_STOP_TIMEOUT_MS = 30_000
/** Upper bound of a cold process's wait for another process's fetch (see refresh.ts). */
export const MAX_COLD_START_WAIT_MS = 3_000

/** A load in progress: `ready` resolves once it published definitions or settled, `settled` when it is over. */
interface Load {
  ready: Promise<void>
  settled: Promise<void>
  /** Definitions from this load are already in memory (a reload asked for now needs a newer load). */
  published: boolean
  /** Resolves `ready` early: a stopped poller publishes nothing, so nobody should wait on a hung call for it. */
  release: () => void
}

const done = Promise.resolve()

export class DefinitionsPoller {
  private readonly store = new DefinitionsStore()
  private readonly stats = new StatsRecorder()
  private readonly backoff: Backoff
  private readonly provider: ProviderGuard | undefined
  private readonly requestTimeoutMs: number
  private stopped = false
  private stopCall: Promise<void> | undefined
  private load: Load | undefined
  private timer: TimerHandle | undefined
  private requestAbort: AbortController | undefined
  private startedFirstLoad = false
  private lastLoadSettledAt: number | undefined
  private debugEnabled = false
  private readonly sleepers = new Set<() => void>()
  private markStopped: () => void = () => undefined
  /** Resolves when stop() is called: nothing is published after that, so reloads stop waiting. */
  private readonly stoppedSignal = new Promise<void>((resolve) => (this.markStopped = resolve))

  constructor(private readonly options: PollerOptions) {
    this.backoff = new Backoff(
      sanitizeDelay(options.pollingIntervalMs, DEFAULT_POLLING_INTERVAL_MS, MIN_POLLING_INTERVAL_MS)
    )
    this.requestTimeoutMs = positiveOr(options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS)
    if (options.provider) {
      const timeoutMs = positiveOr(options.providerTimeoutMs, DEFAULT_PROVIDER_TIMEOUT_MS)
      this.provider = new ProviderGuard(options.provider, timeoutMs, this.report, this.stats)
    }
    this.startLoad()
  }

  /** The definitions in memory, or undefined before the first successful load. */
  get definitions(): PreparedDefinitions | undefined {
    return this.store.definitions
  }

  get loadedSuccessfullyOnce(): boolean {
    return this.store.loadedOnce
  }

  /**
   * The load gate: resolves once a load has been attempted when nothing is loaded yet. Never rejects.
   * Once anything is loaded it resolves at once (a slow refresh never delays evaluations). Before that, it joins the
   * load in flight, or starts one only if the current interval (with backoff) has passed since the last attempt, so
   * a burst of evaluations against a failing API does not turn into a burst of requests.
   */
  ensureLoaded(): Promise<void> {
    if (this.stopped || this.store.loadedOnce) return done
    if (this.load) return this.load.ready
    const last = this.lastLoadSettledAt
    if (last !== undefined && Date.now() - last < this.backoff.intervalMs) return done
    return this.startLoad().ready
  }

  /**
   * Forces a refresh now. Never rejects. Joins a load in flight that has not published yet; one that already did
   * is older than the request, so a new load follows it.
   */
  reload(): Promise<void> {
    if (this.stopped) return done
    return Promise.race([this.reloadLoad(), this.stoppedSignal])
  }

  private reloadLoad(): Promise<void> {
    const running = this.load
    if (!running) return this.startLoad().settled
    if (!running.published) return running.settled
    return running.settled.then(() => (this.stopped ? undefined : (this.load ?? this.startLoad()).settled))
  }

  getStats(): FlagDefinitionsStats {
    return this.stats.snapshot()
  }

  debug(enabled: boolean): void {
    this.debugEnabled = enabled
  }

  /**
   * Terminal and idempotent: stops the timer and awaits provider.shutdown() once, bounded by timeoutMs. A provider
   * call already running is allowed to finish first (within the same bound), so shutdown() never overlaps it.
   */
  stop(timeoutMs: number): Promise<void> {
    this.stopCall ??= this.shutdown(sanitizeDelay(timeoutMs, DEFAULT_STOP_TIMEOUT_MS))
    return this.stopCall
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    this.stopped = true
    this.markStopped()
    clearTimeout(this.timer)
    this.timer = undefined
    this.requestAbort?.abort()
    this.load?.release()
    for (const wake of this.sleepers) wake()
    if (!this.provider) return
    this.provider.close()
    const startedAt = Date.now()
    const running = this.load
    if (running) await settleWithin(() => running.settled, timeoutMs)
    await this.provider.shutdown(Math.max(0, timeoutMs - (Date.now() - startedAt)))
  }

  private startLoad(): Load {
    clearTimeout(this.timer)
    this.timer = undefined
    const initial = !this.startedFirstLoad
    this.startedFirstLoad = true
    let markReady: () => void = () => undefined
    const ready = new Promise<void>((resolve) => (markReady = resolve))
    const load: Load = { ready, settled: done, published: false, release: markReady }
    const publish = (): void => {
      load.published = true
      markReady()
    }
    load.settled = this.runLoad(initial, publish).then(() => this.settle(load, markReady))
    this.load = load
    return load
  }

  private async runLoad(initial: boolean, markReady: () => void): Promise<void> {
    // Deferred by a microtask: no provider code runs inside the caller (the client's constructor), and the first
    // 'localEvaluationFlagsLoaded' reaches a listener attached right after construction.
    await done
    try {
      await refresh(this.refreshContext(markReady), initial)
    } catch (error) {
      this.report(new Error(`Unexpected error while loading feature flag definitions: ${describeError(error)}`))
    }
  }

  private settle(load: Load, markReady: () => void): void {
    markReady()
    if (this.load === load) this.load = undefined
    this.lastLoadSettledAt = Date.now()
    if (this.stopped) return
    this.timer = unrefTimeout(() => {
      this.timer = undefined
      if (!this.stopped && !this.load) this.startLoad()
    }, this.backoff.intervalMs)
  }

  private refreshContext(markReady: () => void): RefreshContext {
    return {
      store: this.store,
      provider: this.provider,
      stats: this.stats,
      backoff: this.backoff,
      isStopped: () => this.stopped,
      request: () => this.request(),
      report: this.report,
      published: (flagCount) => {
        markReady()
        try {
          this.options.onLoad(flagCount)
        } catch (error) {
          this.report(new Error(`A localEvaluationFlagsLoaded listener threw: ${describeError(error)}`))
        }
      },
      log: (message) => {
        if (this.debugEnabled) console.debug(`[FEATURE FLAGS] ${message}`)
      },
      coldStartWaitMs: Math.min(MAX_COLD_START_WAIT_MS, this.requestTimeoutMs),
      sleep: (ms) => this.sleep(ms),
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return done
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer)
        this.sleepers.delete(wake)
        resolve()
      }
      const timer = unrefTimeout(wake, ms)
      this.sleepers.add(wake)
    })
  }

  private async request(): Promise<RequestOutcome> {
    let fetch: FetchFn
    try {
      fetch = this.options.getFetch()
    } catch (error) {
      return { kind: 'failed', reason: `no fetch implementation is available: ${describeError(error)}` }
    }
    const abort = new AbortController()
    this.requestAbort = abort
    try {
      return await requestDefinitions({
        host: this.options.host,
        projectApiKey: this.options.projectApiKey,
        personalApiKey: this.options.personalApiKey,
        customHeaders: this.options.customHeaders,
        timeoutMs: this.requestTimeoutMs,
        fetch,
        signal: abort.signal,
      })
    } finally {
      if (this.requestAbort === abort) this.requestAbort = undefined
    }
  }

  // An arrow so it can be handed around; a throwing 'error' listener must not break the loop.
  private readonly report = (error: Error): void => {
    try {
      this.options.onError(error)
    } catch {
      // Nowhere left to report to.
    }
  }
}

function positiveOr(value: number, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.min(value, 2 ** 31 - 1) : fallback
}
