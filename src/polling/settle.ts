import { unrefTimeout } from './timers'

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
 * as a timeout (its late result is ignored; a late rejection is absorbed, never unhandled).
 */
export function settleWithin<T>(run: () => T | PromiseLike<T>, timeoutMs: number): Promise<Settled<T>> {
  return new Promise((resolve) => {
    let done = false
    const finish = (outcome: Settled<T>): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      resolve(outcome)
    }
    const timer = unrefTimeout(() => finish({ status: 'timeout' }), timeoutMs)
    try {
      const result = run()
      const then = thenOf(result)
      if (!then) return finish({ status: 'ok', value: result as T })
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

/** `Error: message` for errors, the value itself otherwise, so a report names what the provider threw. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`
  try {
    return typeof error === 'string' ? error : String(error)
  } catch {
    return 'an unprintable value'
  }
}
