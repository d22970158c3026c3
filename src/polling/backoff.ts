// Backoff after the API refused us (401, 403, 429). The next tick is scheduled after each load settles, so a new
// interval applies from the very next attempt.

import { BACKOFF_CAP_MS } from '../shared/defaults'

export class Backoff {
  private failures = 0

  constructor(private readonly pollingIntervalMs: number) {}

  /**
   * The delay before the next attempt: the polling interval doubled per consecutive refusal, capped at 60 s. An
   * interval configured above the cap is never shortened by backoff.
   */
  get intervalMs(): number {
    if (this.failures === 0) return this.pollingIntervalMs
    const grown = Math.min(BACKOFF_CAP_MS, this.pollingIntervalMs * 2 ** this.failures)
    return Math.max(this.pollingIntervalMs, grown)
  }

  fail(): void {
    // 2^64 times any interval already exceeds the cap; stopping here keeps the arithmetic finite.
    if (this.failures < 64) this.failures += 1
  }

  reset(): void {
    this.failures = 0
  }
}
