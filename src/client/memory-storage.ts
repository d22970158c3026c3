import type { PostHogPersistedProperty } from '@posthog/core'

/** Core's persisted state (queue, opt-out, super properties): a server process keeps it in memory only. */
export class MemoryStorage {
  private readonly values: Partial<Record<PostHogPersistedProperty, unknown>> = {}

  get<T>(key: PostHogPersistedProperty): T | undefined {
    return this.values[key] as T | undefined
  }

  /** `null` clears the entry, as core expects. */
  set<T>(key: PostHogPersistedProperty, value: T | null): void {
    this.values[key] = value === null ? undefined : value
  }
}
