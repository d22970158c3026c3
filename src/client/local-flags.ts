// Local evaluation as the client uses it: wait for the poller's load gate, then ask the pure evaluator. Outcomes
// that need the server become `undefined` (the caller decides whether to go remote); unexpected failures are
// reported with the message prefix upstream users match on.
import type { FeatureFlagValue, JsonType } from '@posthog/core'
import {
  createDependencyCache,
  evaluateFlag,
  flagPayload,
  type EvaluationInput,
  type FlagOutcome,
  type PreparedDefinitions,
} from '../evaluation'

/** What local evaluation needs of the poller: the definitions in memory now, and the gate of the first load. */
export interface DefinitionsSource {
  readonly definitions: PreparedDefinitions | undefined
  /** Resolves once the first load settled (successfully or not); never rejects. */
  ensureLoaded(): Promise<void>
}

export interface LocalFlagsHooks {
  /** The client's `'error'` channel. */
  onError: (error: Error) => void
  /** Debug-only log; takes a function so that no message is built while debug is off (the hot path). */
  debug: (message: () => string) => void
}

export interface LocalFlagsAndPayloads {
  flags: Record<string, FeatureFlagValue>
  payloads: Record<string, JsonType>
  /** Some flag could not be answered locally (or nothing is loaded): the server should be asked. */
  incomplete: boolean
}

export class LocalFlags {
  constructor(
    private readonly poller: DefinitionsSource,
    private readonly hooks: LocalFlagsHooks
  ) {}

  /** Whether definitions with at least one flag are in memory now, without waiting for a load. */
  hasFlags(): boolean {
    return (this.poller.definitions?.flagCount ?? 0) > 0
  }

  /** The flag's value, or undefined when it is unknown or cannot be decided locally. */
  async getFlag(key: string, input: EvaluationInput): Promise<FeatureFlagValue | undefined> {
    await this.poller.ensureLoaded()
    const definitions = this.poller.definitions
    if (!definitions) {
      return undefined
    }
    const outcome = evaluateFlag(definitions, key, input)
    if (outcome?.kind === 'value') {
      this.hooks.debug(() => `Successfully computed flag locally: ${key} -> ${String(outcome.value)}`)
    }
    return this.valueOf(key, outcome)
  }

  /**
   * `{ payload }` when the flag is known locally (`null`: no payload for that value), undefined when the server
   * must answer. With `matchValue` the payload of that value is returned without evaluating the flag.
   * Unexpected evaluation failures reject (as upstream's payload lookup does).
   */
  async getPayload(
    key: string,
    input: EvaluationInput,
    matchValue: FeatureFlagValue | undefined
  ): Promise<{ payload: JsonType | null } | undefined> {
    await this.poller.ensureLoaded()
    const definitions = this.poller.definitions
    if (!definitions || !definitions.flagsByKey.has(key)) {
      return undefined
    }
    if (matchValue !== undefined) {
      return { payload: flagPayload(definitions, key, matchValue) }
    }
    const outcome = evaluateFlag(definitions, key, input)
    if (outcome === undefined) {
      return undefined
    }
    if (outcome.kind === 'error') {
      throw outcome.error
    }
    if (outcome.kind !== 'value') {
      this.hooks.debug(() => `${outcome.kind} when computing flag locally: ${key}: ${outcome.reason}`)
      return undefined
    }
    return { payload: flagPayload(definitions, key, outcome.value) }
  }

  /**
   * Every locally known flag (or those of `flagKeys` that are known), with their truthy payloads unless
   * `withPayloads` is false (getAllFlags does not return them, so it does not parse them).
   */
  async getAll(
    input: EvaluationInput,
    flagKeys: string[] | undefined,
    withPayloads = true
  ): Promise<LocalFlagsAndPayloads> {
    await this.poller.ensureLoaded()
    const result: LocalFlagsAndPayloads = { flags: {}, payloads: {}, incomplete: true }
    const definitions = this.poller.definitions
    if (!definitions) {
      return result
    }
    result.incomplete = definitions.flagCount === 0
    // Unknown keys are skipped silently: with other flags loaded, upstream does not ask the server for them.
    const keys = flagKeys ? flagKeys.filter((key) => definitions.flagsByKey.has(key)) : definitions.keys
    const dependencies = createDependencyCache()
    for (const key of keys) {
      const value = this.valueOf(key, evaluateFlag(definitions, key, input, dependencies))
      if (value === undefined) {
        result.incomplete = true
        continue
      }
      result.flags[key] = value
      const payload = withPayloads ? flagPayload(definitions, key, value) : null
      if (payload) {
        result.payloads[key] = payload
      }
    }
    return result
  }

  private valueOf(key: string, outcome: FlagOutcome | undefined): FeatureFlagValue | undefined {
    if (outcome === undefined) {
      return undefined
    }
    switch (outcome.kind) {
      case 'value':
        return outcome.value
      case 'error':
        this.hooks.onError(new Error(`Error computing flag locally: ${key}: ${String(outcome.error)}`))
        return undefined
      default:
        this.hooks.debug(() => `${outcome.kind} when computing flag locally: ${key}: ${outcome.reason}`)
        return undefined
    }
  }
}
