// The definitions in memory. A new set is validated and prepared off to the side and swapped in with one
// assignment, so evaluation only ever sees a complete old set or a complete new one.
import type { FlagDefinitionCacheData } from '../contracts/provider'
import { prepareDefinitions, type PreparedDefinitions } from '../evaluation'
import { validateFlagDefinitions } from '../definitions/validate'
import { describeError } from '../shared/async'
import { etagOf } from './not-modified'

export type Accepted = { ok: true; flagCount: number } | { ok: false; reason: string }

const EMPTY: FlagDefinitionCacheData = { flags: [], groupTypeMapping: {}, cohorts: {} }

export class InMemoryDefinitions {
  private current: PreparedDefinitions | undefined
  private currentEtag: string | undefined
  private loaded = false

  get definitions(): PreparedDefinitions | undefined {
    return this.current
  }

  /** Whether any set was ever accepted (a 402 that cleared the flags since does not undo it). */
  get hasLoaded(): boolean {
    return this.loaded
  }

  /** The ETag of the definitions in memory; undefined when there are none or they came without one. */
  get etag(): string | undefined {
    return this.current ? this.currentEtag : undefined
  }

  /** Definitions from the API (already validated by the request). */
  acceptFetched(data: FlagDefinitionCacheData): Accepted {
    return this.swap(data)
  }

  /**
   * Definitions from a provider, untrusted: copied first (the provider, or other clients sharing it, may mutate its
   * object later), then validated.
   */
  acceptCached(value: unknown): Accepted {
    let copy: unknown
    try {
      copy = structuredClone(value)
    } catch (error) {
      return { ok: false, reason: `the value cannot be copied: ${describeError(error)}` }
    }
    const result = validateFlagDefinitions(copy)
    return result.ok ? this.swap(result.data) : result
  }

  /** 402: the flags are switched off until the quota allows them again; the client still counts as loaded. */
  clear(): void {
    if (!this.current) return
    this.currentEtag = undefined
    try {
      this.current = prepareDefinitions(EMPTY)
    } catch {
      this.current = undefined
    }
  }

  private swap(data: FlagDefinitionCacheData): Accepted {
    let prepared: PreparedDefinitions
    try {
      prepared = prepareDefinitions(data)
    } catch (error) {
      return { ok: false, reason: `the definitions could not be prepared for evaluation: ${describeError(error)}` }
    }
    this.current = prepared
    this.currentEtag = etagOf(data)
    this.loaded = true
    return { ok: true, flagCount: prepared.flagCount }
  }
}
