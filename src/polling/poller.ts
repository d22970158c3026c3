// The refresh loop of local evaluation. One load runs at a time (start-up, ticks, reloads and on-demand loads all
// share it); the next tick is armed only after a load settles; stop() is final. What one load does is in refresh.ts.
import type { FlagDefinitionCacheProvider } from '../contracts/provider'
import type { PreparedDefinitions } from '../evaluation'
import { KeepAlive, deadlineIn, describeError, settleWithin, type TimerHandle } from '../shared/async'
import {
  DEFAULT_POLLING_INTERVAL_MS,
  DEFAULT_PROVIDER_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  MAX_COLD_START_WAIT_MS,
  MIN_POLLING_INTERVAL_MS,
  positiveMilliseconds,
  timerDelay,
} from '../shared/defaults'
import { OncePerKind } from '../shared/once-per-kind'
import { Backoff } from './backoff'
import { reloadAfterNotification } from './change-notifications'
import { requestDefinitions, type FetchFn, type RequestOutcome } from './definitions-request'
import { InMemoryDefinitions } from './in-memory-definitions'
import { ProviderGuard } from './provider-guard'
import { refresh, type RefreshContext } from './refresh'
import type { FlagDefinitionsStats } from '../contracts/stats'
import { StatsRecorder } from './stats'

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
  /** Bound for each provider call, shutdown included. */
  providerTimeoutMs: number
  onError: (error: Error) => void
  onLoad: (flagCount: number) => void
  /**
   * The client's keep-alive: the poller's timers come from it, and every call a caller awaits (ensureLoaded,
   * reload, stop) holds it, so those timers keep the process alive exactly while someone waits.
   */
  keepAlive?: KeepAlive
  /** Provider failures are logged here once per kind, besides onError. Default: console.warn. */
  warn?: (message: string) => void
}

/**
 * A load in progress: `ready` resolves once it published definitions or settled, `settled` when it is over.
 * 'scheduled' loads (start-up, ticks, reloads, on-demand) own the polling timer; a 'notified' load (a change
 * notification) only reads the cache and leaves the timer alone, so the fleet keeps its spread-out polling phases.
 */
interface Load {
  kind: 'scheduled' | 'notified'
  ready: Promise<void>
  settled: Promise<void>
  /** Definitions from this load are already in memory (a reload asked for now needs a newer load). */
  published: boolean
  /** Resolves `ready`: on publishing, on settling, and on stop (a stopped poller publishes nothing more). */
  openGate: () => void
}

const done = Promise.resolve()

export class DefinitionsPoller {
  private readonly inMemory = new InMemoryDefinitions()
  private readonly stats = new StatsRecorder()
  private readonly keepAlive: KeepAlive
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
  /** The timer fired while a notified load ran: the tick runs right after it. */
  private tickDue = false
  /** A notification arrived while a load ran: one cache read follows it, however many arrived. */
  private notificationPending = false
  private unsubscribe: (() => unknown) | undefined
  private readonly sleepers = new Set<() => void>()
  private markStopped: () => void = () => undefined
  /** Resolves when stop() is called: nothing is published after that, so reloads stop waiting. */
  private readonly stoppedSignal = new Promise<void>((resolve) => (this.markStopped = resolve))

  /**
   * Starts the first load synchronously: its definitions request (or, with a provider, its cache read) is under way
   * when the constructor returns, as upstream's is. Nothing is published before it returns (every path awaits), so a
   * 'localEvaluationFlagsLoaded' listener attached right after construction hears the first load.
   */
  constructor(private readonly options: PollerOptions) {
    this.keepAlive = options.keepAlive ?? new KeepAlive()
    this.backoff = new Backoff(
      positiveMilliseconds(options.pollingIntervalMs, MIN_POLLING_INTERVAL_MS) ?? DEFAULT_POLLING_INTERVAL_MS
    )
    this.requestTimeoutMs = positiveMilliseconds(options.requestTimeoutMs) ?? DEFAULT_REQUEST_TIMEOUT_MS
    if (options.provider) {
      this.provider = new ProviderGuard(options.provider, {
        timeoutMs: positiveMilliseconds(options.providerTimeoutMs) ?? DEFAULT_PROVIDER_TIMEOUT_MS,
        report: this.report,
        stats: this.stats,
        timers: this.keepAlive,
        warnings: new OncePerKind(options.warn ?? ((message) => console.warn(message))),
      })
    }
    this.startLoad()
    // Deferred: the client's constructor runs no provider code but the first load's.
    void done.then(() => {
      if (!this.stopped) this.unsubscribe = this.provider?.subscribe(this.onChange)
    })
  }

  // An arrow: the provider calls it unbound, any number of times, possibly after stop().
  private readonly onChange = (): void => {
    if (this.stopped) return
    this.stats.count('notificationsReceived')
    if (this.load) this.notificationPending = true
    else this.startLoad('notified')
  }

  /** The definitions in memory, or undefined before the first successful load. */
  get definitions(): PreparedDefinitions | undefined {
    return this.inMemory.definitions
  }

  /** Whether any definition set was ever loaded (from the API or the cache). */
  get hasLoaded(): boolean {
    return this.inMemory.hasLoaded
  }

  /**
   * The load gate: resolves once a load has been attempted when nothing is loaded yet. Never rejects.
   * Once anything is loaded it resolves at once (a slow refresh never delays evaluations). Before that, it joins the
   * load in flight, or starts one only if the current interval (with backoff) has passed since the last attempt, so
   * a burst of evaluations against a failing API does not turn into a burst of requests.
   */
  ensureLoaded(): Promise<void> {
    if (this.stopped || this.inMemory.hasLoaded) return done
    if (this.load) return this.keepAlive.during(this.load.ready)
    const last = this.lastLoadSettledAt
    if (last !== undefined && Date.now() - last < this.backoff.intervalMs) return done
    return this.keepAlive.during(this.startLoad().ready)
  }

  /**
   * Forces a refresh now. Never rejects. Joins a load in flight that has not published yet; one that already did
   * is older than the request, so a new load follows it.
   */
  reload(): Promise<void> {
    if (this.stopped) return done
    return this.keepAlive.during(Promise.race([this.reloadLoad(), this.stoppedSignal]))
  }

  private reloadLoad(): Promise<void> {
    const running = this.load
    if (!running) return this.startLoad().settled
    if (running.kind === 'scheduled' && !running.published) return running.settled
    return running.settled.then(() => (this.stopped ? undefined : this.nextScheduledLoad()))
  }

  /** The scheduled load to join: the one in flight, or a new one once a notified load in flight is over. */
  private nextScheduledLoad(): Promise<void> {
    const running = this.load
    if (!running) return this.startLoad().settled
    if (running.kind === 'scheduled') return running.settled
    return running.settled.then(() => (this.stopped ? undefined : this.nextScheduledLoad()))
  }

  getStats(): FlagDefinitionsStats {
    return this.stats.snapshot()
  }

  debug(enabled: boolean): void {
    this.debugEnabled = enabled
  }

  /**
   * Terminal and idempotent: stops the timer and awaits provider.shutdown() once. A provider call already running
   * is allowed to finish first, so shutdown() never overlaps it. Both share one bound: the provider timeout, or
   * `timeoutMs` when that is shorter (the 30 s shutdown default is longer than a container's grace period).
   */
  stop(timeoutMs: number): Promise<void> {
    const bound = typeof timeoutMs === 'number' ? timerDelay(timeoutMs) : DEFAULT_SHUTDOWN_TIMEOUT_MS
    this.stopCall ??= this.keepAlive.during(this.shutdown(bound))
    return this.stopCall
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    this.stopped = true
    this.markStopped()
    this.keepAlive.clearTimeout(this.timer)
    this.timer = undefined
    this.requestAbort?.abort()
    this.load?.openGate()
    for (const wake of this.sleepers) wake()
    if (!this.provider) return
    this.provider.close()
    const left = deadlineIn(Math.min(timeoutMs, this.provider.timeoutMs))
    const unsubscribe = this.unsubscribe
    this.unsubscribe = undefined
    // Half the bound at most: provider.shutdown() still gets its turn after a hanging unsubscribe.
    if (unsubscribe) await this.provider.unsubscribe(unsubscribe, left() / 2)
    const running = this.load
    if (running) await settleWithin(() => running.settled, left(), this.keepAlive)
    await this.provider.shutdown(left())
  }

  private startLoad(kind: Load['kind'] = 'scheduled'): Load {
    if (kind === 'scheduled') {
      this.keepAlive.clearTimeout(this.timer)
      this.timer = undefined
    }
    const initial = kind === 'scheduled' && !this.startedFirstLoad
    if (kind === 'scheduled') this.startedFirstLoad = true
    let openGate: () => void = () => undefined
    const ready = new Promise<void>((resolve) => (openGate = resolve))
    const load: Load = { kind, ready, settled: done, published: false, openGate }
    // Set before the load runs: its synchronous part (the request or the cache read) starts right here.
    this.load = load
    load.settled = this.runLoad(load, initial).then(() => this.settle(load))
    return load
  }

  private async runLoad(load: Load, initial: boolean): Promise<void> {
    try {
      const ctx = this.refreshContext(load)
      await (load.kind === 'notified' ? reloadAfterNotification(ctx) : refresh(ctx, initial))
    } catch (error) {
      this.report(new Error(`Unexpected error while loading feature flag definitions: ${describeError(error)}`))
    }
  }

  private settle(load: Load): void {
    load.openGate()
    if (this.load === load) this.load = undefined
    if (load.kind === 'scheduled') this.lastLoadSettledAt = Date.now()
    if (this.stopped) return
    if (this.tickDue) {
      this.tickDue = false
      this.startLoad()
      return
    }
    this.timer ??= this.keepAlive.setTimeout(() => {
      this.timer = undefined
      if (this.stopped) return
      if (this.load) this.tickDue = true
      else this.startLoad()
    }, this.backoff.intervalMs)
    if (this.notificationPending) {
      this.notificationPending = false
      this.startLoad('notified')
    }
  }

  private refreshContext(load: Load): RefreshContext {
    return {
      inMemory: this.inMemory,
      provider: this.provider,
      stats: this.stats,
      backoff: this.backoff,
      isStopped: () => this.stopped,
      request: (etag) => this.request(etag),
      report: this.report,
      published: (flagCount) => {
        load.published = true
        load.openGate()
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
        this.keepAlive.clearTimeout(timer)
        this.sleepers.delete(wake)
        resolve()
      }
      const timer = this.keepAlive.setTimeout(wake, ms)
      this.sleepers.add(wake)
    })
  }

  private async request(etag: string | undefined): Promise<RequestOutcome> {
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
        timers: this.keepAlive,
        etag,
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
