import type { FeatureFlagValue } from '@posthog/core'

/**
 * Remembers which (flag, response) pairs each distinct id already reported through `$feature_flag_called`, so a
 * flag checked on every request sends one event per distinct response. When more than `maxDistinctIds` ids are
 * remembered, the memory starts over (as upstream does: a short burst of repeats beats unbounded growth).
 */
export class FlagCalledDeduplicator {
  private reported: Record<string, string[]> = emptyRecord()
  // Counted as ids are added: counting the record's keys on every new report would cost O(ids) on the flag path.
  private distinctIds = 0

  constructor(private readonly maxDistinctIds: number) {}

  /** distinct id -> `${key}_${response}` strings already reported. Public through the client for compatibility. */
  get calls(): Record<string, string[]> {
    return this.reported
  }

  set calls(calls: Record<string, string[]>) {
    this.reported = calls
    this.distinctIds = Object.keys(calls).length
  }

  /** Records the pair and returns true when it had not been reported for this distinct id yet. */
  firstReport(distinctId: string, key: string, response: FeatureFlagValue | undefined): boolean {
    const reported = `${key}_${String(response)}`
    const known = Object.prototype.hasOwnProperty.call(this.reported, distinctId)
      ? this.reported[distinctId]
      : undefined
    if (known?.includes(reported)) {
      return false
    }
    if (this.distinctIds >= this.maxDistinctIds) {
      this.calls = emptyRecord()
    }
    const list = this.reported[distinctId]
    if (Array.isArray(list)) {
      list.push(reported)
    } else {
      this.reported[distinctId] = [reported]
      this.distinctIds += 1
    }
    return true
  }
}

/** Without a prototype, so ids such as `__proto__` or `constructor` are plain keys. */
function emptyRecord(): Record<string, string[]> {
  return Object.create(null) as Record<string, string[]>
}
