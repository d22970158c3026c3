import type { FeatureFlagValue } from '@posthog/core'

/**
 * Remembers which (flag, response) pairs each distinct id already reported through `$feature_flag_called`, so a
 * flag checked on every request sends one event per distinct response. When more than `maxDistinctIds` ids are
 * remembered, the memory starts over (as upstream does: a short burst of repeats beats unbounded growth).
 */
export class FlagCalledDeduplicator {
  /** distinct id -> `${key}_${response}` strings already reported. Public through the client for compatibility. */
  calls: Record<string, string[]> = emptyRecord()

  constructor(private readonly maxDistinctIds: number) {}

  /** Records the pair and returns true when it had not been reported for this distinct id yet. */
  firstReport(distinctId: string, key: string, response: FeatureFlagValue | undefined): boolean {
    const reported = `${key}_${String(response)}`
    const known = Object.prototype.hasOwnProperty.call(this.calls, distinctId) ? this.calls[distinctId] : undefined
    if (known?.includes(reported)) {
      return false
    }
    if (Object.keys(this.calls).length >= this.maxDistinctIds) {
      this.calls = emptyRecord()
    }
    const list = this.calls[distinctId]
    if (Array.isArray(list)) {
      list.push(reported)
    } else {
      this.calls[distinctId] = [reported]
    }
    return true
  }
}

/** Without a prototype, so ids such as `__proto__` or `constructor` are plain keys. */
function emptyRecord(): Record<string, string[]> {
  return Object.create(null) as Record<string, string[]>
}
