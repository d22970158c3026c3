/** Raised when a store operation did not settle within the provider's `timeoutMs`. */
export class StoreTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not finish within ${ms} ms`)
    this.name = 'StoreTimeoutError'
  }
}

/**
 * Settles with `operation`, or rejects with a {@link StoreTimeoutError} after `ms`. The timer is cleared when the
 * operation settles and never keeps the process alive. The operation itself cannot be cancelled: a late result is
 * dropped (and a late rejection swallowed).
 */
export function withTimeout<T>(operation: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new StoreTimeoutError(what, ms)), ms)
    timer.unref?.()
    operation.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      }
    )
  })
}
