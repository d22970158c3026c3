// Timers, bounded waits and error descriptions for everything that waits on I/O (polling, providers, remote config).
// Low level: imports nothing but the defaults.
//
// Background work never keeps a process alive: its timers are unref'd, so a script that forgets shutdown() exits.
// Awaited work does: while a caller waits on the client, the timers that call depends on are ref'd (KeepAlive), so
// `await posthog.getFeatureFlag(...)` reaches its next line even when nothing else holds the event loop.
import { timerDelay } from './defaults'

export type TimerHandle = ReturnType<typeof setTimeout>

/** Where timers come from; lets one owner decide whether they hold the process. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle | undefined): void
}

// Edge runtimes return plain numbers without ref()/unref(), hence the guard.
function setRef(handle: unknown, ref: boolean): void {
  const timer = handle as { ref?: () => unknown; unref?: () => unknown }
  if (typeof timer !== 'object' || timer === null) return
  const method = ref ? timer.ref : timer.unref
  if (typeof method === 'function') method.call(timer)
}

/** Lets a socket (or anything else with `unref()`) stop holding the process; a no-op for what has no `unref`. */
export function unref(handle: unknown): void {
  setRef(handle, false)
}

/** A timer that never keeps the process alive. */
export function unrefTimeout(callback: () => void, ms: number): TimerHandle {
  const handle = setTimeout(callback, timerDelay(ms))
  setRef(handle, false)
  return handle
}

/** Unref'd timers: for work nobody awaits. */
export const backgroundTimers: Timers = {
  setTimeout: unrefTimeout,
  clearTimeout: (handle) => clearTimeout(handle),
}

/**
 * Timers that hold the process only while someone waits: `during(promise)` counts a waiting caller until the promise
 * settles; while at least one waits, every live timer of this instance is ref'd, otherwise all are unref'd. One
 * instance per client, shared by the poller, the provider guard, the definitions request and the client's waits.
 */
export class KeepAlive implements Timers {
  private waiting = 0
  private readonly live = new Set<TimerHandle>()

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const handle: TimerHandle = setTimeout(() => {
      this.live.delete(handle)
      callback()
    }, timerDelay(ms))
    this.live.add(handle)
    setRef(handle, this.waiting > 0)
    return handle
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle === undefined) return
    clearTimeout(handle)
    setRef(handle, false) // a cleared handle reads as not holding anything
    this.live.delete(handle)
  }

  /** Holds the process until `work` settles; returns a promise settling as `work` does. */
  during<T>(work: Promise<T>): Promise<T> {
    this.acquire()
    return work.finally(() => this.release())
  }

  private acquire(): void {
    this.waiting += 1
    if (this.waiting === 1) for (const handle of this.live) setRef(handle, true)
  }

  private release(): void {
    this.waiting -= 1
    if (this.waiting === 0) for (const handle of this.live) setRef(handle, false)
  }
}

/** How a call that may be synchronous, asynchronous or never-ending turned out. */
export type Settled<T> = { status: 'ok'; value: T } | { status: 'error'; error: unknown } | { status: 'timeout' }

function thenOf(value: unknown): ((onOk: (v: unknown) => void, onErr: (e: unknown) => void) => unknown) | undefined {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined
  const then = (value as { then?: unknown }).then
  return typeof then === 'function' ? then.bind(value) : undefined
}

/**
 * Runs `run` and reports its outcome, never throwing: a synchronous return, a synchronous throw, a promise or any
 * thenable (Bluebird, another realm's Promise) all work, and a call that has not settled after `timeoutMs` counts
 * as a timeout (its late result is ignored; a late rejection is absorbed, never unhandled). `run` is called
 * synchronously. The bound's timer comes from `timers` (unref'd unless a KeepAlive is holding).
 */
export function settleWithin<T>(
  run: () => T | PromiseLike<T>,
  timeoutMs: number,
  timers: Timers = backgroundTimers
): Promise<Settled<T>> {
  return new Promise((resolve) => {
    let done = false
    let timer: TimerHandle | undefined
    const finish = (outcome: Settled<T>): void => {
      if (done) return
      done = true
      timers.clearTimeout(timer)
      resolve(outcome)
    }
    try {
      const result = run()
      const then = thenOf(result)
      if (!then) return finish({ status: 'ok', value: result as T })
      timer = timers.setTimeout(() => finish({ status: 'timeout' }), timeoutMs)
      // Through a native promise, as `await` does: a thenable may resolve with another promise or thenable.
      new Promise<unknown>((onOk, onErr) => then(onOk, onErr)).then(
        (value) => finish({ status: 'ok', value: value as T }),
        (error) => finish({ status: 'error', error })
      )
    } catch (error) {
      finish({ status: 'error', error })
    }
  })
}

/** Raised by {@link withTimeout} when the operation did not settle in time. */
export class TimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not finish within ${ms} ms`)
    this.name = 'TimeoutError'
  }
}

/**
 * {@link settleWithin} for a promise whose caller wants it back: settles as `operation` does, or rejects with a
 * {@link TimeoutError} naming `what` after `ms`. The operation itself is not cancelled: a late result is dropped and
 * a late rejection absorbed.
 */
export async function withTimeout<T>(
  operation: Promise<T>,
  ms: number,
  what: string,
  timers: Timers = backgroundTimers
): Promise<T> {
  const outcome = await settleWithin(() => operation, ms, timers)
  if (outcome.status === 'ok') return outcome.value
  throw outcome.status === 'timeout' ? new TimeoutError(what, ms) : outcome.error
}

/** A deadline `ms` from now: the returned function tells what is left of it (never negative). */
export function deadlineIn(ms: number): () => number {
  const end = Date.now() + ms
  return () => Math.max(0, end - Date.now())
}

/** `Error: message` for errors, the value itself otherwise, so a report names what was thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`
  try {
    return typeof error === 'string' ? error : String(error)
  } catch {
    return 'an unprintable value'
  }
}

/** The message alone for errors (for text that already says what failed), else as {@link describeError}. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : describeError(error)
}
