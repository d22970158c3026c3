// The server-side client: core's stateless client plus local flag evaluation, before_send hooks, flag events and
// error tracking. Each concern lives in its own module; this class wires them to core and to the public API.
import {
  PostHogCoreStateless,
  getFeatureFlagValue,
  type FeatureFlagDetail,
  type FeatureFlagValue,
  type JsonType,
  type PostHogFetchOptions,
  type PostHogFetchResponse,
  type PostHogFlagsAndPayloadsResponse,
  type PostHogEventProperties,
  type PostHogPersistedProperty,
} from '@posthog/core'
import { ErrorTracking } from '../error-tracking'
import type { EvaluationInput } from '../evaluation'
import { DefinitionsPoller, type FetchFn } from '../polling/poller'
import type { FlagDefinitionsStats } from '../contracts/stats'
import { KeepAlive } from '../shared/async'
import {
  DEFAULT_MAX_CACHE_SIZE,
  DEFAULT_POLLING_INTERVAL_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  DEFAULT_WAIT_FOR_LOCAL_EVALUATION_MS,
} from '../shared/defaults'
import { FlagCalledDeduplicator } from './flag-called-dedup'
import { flagCalledProperties } from './flag-called-event'
import { identifyProperties } from './identify-properties'
import { LocalFlags } from './local-flags'
import { MemoryStorage } from './memory-storage'
import { assertPersonalApiKey, resolveProviderTimeout, resolvePollingInterval } from './options'
import { assertProvider, maxAgeWarning, missingMethodsWarning } from './provider-checks'
import { withDefaultFlagProperties } from './person-group-properties'
import { prepareEvent, type PreparedEvent } from './prepare-event'
import { REMOTE_CONFIG_NEEDS_PERSONAL_KEY, remoteConfigPayloadFrom, requestRemoteConfig } from './remote-config'
import type {
  AllFlagsOptions,
  EventMessage,
  FeatureFlagEvaluationOptions,
  FeatureFlagPayloadOptions,
  GroupIdentifyMessage,
  IPostHog,
  IdentifyMessage,
  PostHogOptions,
  SendFeatureFlagsOptions,
} from './types'
import { LIBRARY_VERSION } from './version'

/**
 * What the client uses of error tracking. Declared here rather than typed as the ErrorTracking class so that the
 * public declarations do not drag in core's error-tracking internals (which name DOM types).
 */
interface ExceptionCapture {
  /** Captures `error` as an `$exception` event through the queue. */
  captureException(error: unknown, distinctId?: string, additionalProperties?: Record<string | number, unknown>): void
  /** Captures `error` as an `$exception` event and resolves once it was sent. */
  captureExceptionImmediate(
    error: unknown,
    distinctId?: string,
    additionalProperties?: Record<string | number, unknown>
  ): Promise<void>
  /** Removes the process listeners exception autocapture installed. */
  shutdown(): void
}

/**
 * The PostHog client for servers. The package entries subclass it to name the library (`posthog-node`,
 * `posthog-edge`).
 */
export abstract class PostHogBackendClient extends PostHogCoreStateless implements IPostHog {
  /** The options object given to the constructor (`featureFlagsPollingInterval` holds the effective value). */
  readonly options: PostHogOptions
  /** Exception capture and autocapture for this client. */
  protected errorTracking: ExceptionCapture
  private readonly storage = new MemoryStorage()
  private readonly featureFlagsPoller: DefinitionsPoller | undefined
  private readonly localFlags: LocalFlags | undefined
  private readonly flagCalls: FlagCalledDeduplicator
  /**
   * Holds the process while a caller awaits the client (flag calls, reload, waitForLocalEvaluationReady, shutdown):
   * the poller's timers come from it and are unref'd whenever nobody waits.
   */
  private readonly keepAlive = new KeepAlive()

  constructor(apiKey: string, options: PostHogOptions = {}) {
    super(apiKey, options)
    this.options = options
    // Written back in place, as upstream does: callers and tests read the effective interval here.
    options.featureFlagsPollingInterval = resolvePollingInterval(options.featureFlagsPollingInterval, (message) =>
      console.warn(message)
    )
    // A falsy value means no provider, as upstream reads it (e.g. `useCache ? cache : null`).
    const provider = options.flagDefinitionCacheProvider || undefined
    if (provider !== undefined) {
      assertProvider(provider)
    }

    if (options.personalApiKey) {
      assertPersonalApiKey(options.personalApiKey)
      if (options.enableLocalEvaluation !== false) {
        this.featureFlagsPoller = this.createPoller(apiKey, options.personalApiKey)
        this.localFlags = new LocalFlags(this.featureFlagsPoller, {
          onError: (error) => this._events.emit('error', error),
          debug: (message) => {
            if (this.isDebug) this._logger.info(message())
          },
        })
      }
    }
    if (provider !== undefined && this.featureFlagsPoller) {
      const interval = options.featureFlagsPollingInterval
      for (const warning of [missingMethodsWarning(provider), maxAgeWarning(provider, interval)]) {
        if (warning) console.warn(warning)
      }
    }
    if (provider !== undefined && !this.featureFlagsPoller) {
      // Visible even without debug(): a cache provider that is never consulted is a configuration mistake.
      console.warn(
        '[PostHog] flagDefinitionCacheProvider is ignored: it is only used with local evaluation ' +
          '(set personalApiKey and leave enableLocalEvaluation on).'
      )
    }

    this.errorTracking = new ErrorTracking(this, options, this._logger)
    this.flagCalls = new FlagCalledDeduplicator(options.maxCacheSize || DEFAULT_MAX_CACHE_SIZE)
  }

  private createPoller(projectApiKey: string, personalApiKey: string): DefinitionsPoller {
    const requestTimeoutMs = this.options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT_MS
    return new DefinitionsPoller({
      projectApiKey,
      personalApiKey,
      host: this.host,
      pollingIntervalMs: this.options.featureFlagsPollingInterval ?? DEFAULT_POLLING_INTERVAL_MS,
      requestTimeoutMs,
      // Looked up per request so that a fetch replaced after construction (instrumentation, mocks) is used.
      getFetch: () => this.options.fetch ?? (globalThis.fetch as unknown as FetchFn),
      customHeaders: this.getCustomHeaders(),
      provider: this.options.flagDefinitionCacheProvider,
      providerTimeoutMs: resolveProviderTimeout(this.options.flagDefinitionCacheProviderTimeoutMs, (m) =>
        console.warn(m)
      ),
      onError: (error) => this._events.emit('error', error),
      onLoad: (count) => this._events.emit('localEvaluationFlagsLoaded', count),
      keepAlive: this.keepAlive,
    })
  }

  /** distinct id -> flag responses already reported with `$feature_flag_called`. */
  get distinctIdHasSentFlagCalls(): Record<string, string[]> {
    return this.flagCalls.calls
  }

  set distinctIdHasSentFlagCalls(calls: Record<string, string[]>) {
    this.flagCalls.calls = calls
  }

  /** Core's persisted state (queue, opt-out...), kept in memory. */
  getPersistedProperty<T>(key: PostHogPersistedProperty): T | undefined {
    return this.storage.get<T>(key)
  }

  /** Stores core's persisted state in memory; `null` removes the key. */
  setPersistedProperty<T>(key: PostHogPersistedProperty, value: T | null): void {
    this.storage.set(key, value)
  }

  /** The `fetch` option if given, else the global `fetch` as it is now. */
  fetch(url: string, options: PostHogFetchOptions): Promise<PostHogFetchResponse> {
    const fetchFn = this.options.fetch ?? (globalThis.fetch as unknown as FetchFn)
    return fetchFn(url, options)
  }

  /** The posthog-node version this package reproduces, sent as `$lib_version`. */
  getLibraryVersion(): string {
    return LIBRARY_VERSION
  }

  /** The User-Agent of every request: `<library id>/<version>`, e.g. `posthog-node/5.13.2`. */
  getCustomUserAgent(): string {
    return `${this.getLibraryId()}/${this.getLibraryVersion()}`
  }

  /** Opts back in to sending events. */
  enable(): Promise<void> {
    return super.optIn()
  }

  /** Opts out: events are dropped until `enable()`. */
  disable(): Promise<void> {
    return super.optOut()
  }

  /** Logs every client event (and the poller's activity) to the console while on. */
  override debug(enabled: boolean = true): void {
    super.debug(enabled)
    this.featureFlagsPoller?.debug(enabled)
  }

  // --- capture family --------------------------------------------------------------------------------------------

  /** Queues an event. Preparation (hooks, flags) runs in the background; `shutdown()` waits for it. */
  capture(props: EventMessage): void {
    if (typeof props === 'string') {
      this._logger.warn('Called capture() with a string as the first argument when an object was expected.')
    }
    this.addPendingPromise(
      this.prepareEventMessage(props)
        .then(({ distinctId, event, properties, options }) =>
          super.captureStateless(distinctId, event, properties, options)
        )
        .catch(reportPreparationFailure)
    )
  }

  /** Sends an event now, bypassing the queue; resolves after the request. Send failures go to `'error'`. */
  async captureImmediate(props: EventMessage): Promise<void> {
    if (typeof props === 'string') {
      this._logger.warn('Called captureImmediate() with a string as the first argument when an object was expected.')
    }
    return this.addPendingPromise(
      this.prepareEventMessage(props)
        .then(({ distinctId, event, properties, options }) =>
          super.captureStatelessImmediate(distinctId, event, properties, options)
        )
        .catch(reportPreparationFailure)
    )
  }

  /** Queues a `$identify` event. `$set_once` is moved out of `properties` (and removed from the caller's object). */
  identify({ distinctId, properties, disableGeoip }: IdentifyMessage): void {
    super.identifyStateless(distinctId, identifyProperties(properties), { disableGeoip })
  }

  /** Sends a `$identify` event now. */
  async identifyImmediate({ distinctId, properties, disableGeoip }: IdentifyMessage): Promise<void> {
    await super.identifyStatelessImmediate(distinctId, identifyProperties(properties), { disableGeoip })
  }

  /** Queues a `$create_alias` event linking `alias` to `distinctId`. */
  alias(data: { distinctId: string; alias: string; disableGeoip?: boolean }): void {
    super.aliasStateless(data.alias, data.distinctId, undefined, { disableGeoip: data.disableGeoip })
  }

  /** Sends a `$create_alias` event now. */
  async aliasImmediate(data: { distinctId: string; alias: string; disableGeoip?: boolean }): Promise<void> {
    await super.aliasStatelessImmediate(data.alias, data.distinctId, undefined, { disableGeoip: data.disableGeoip })
  }

  /** Queues a `$groupidentify` event; the distinct id defaults to `$<groupType>_<groupKey>`. */
  groupIdentify({ groupType, groupKey, properties, distinctId, disableGeoip }: GroupIdentifyMessage): void {
    // Properties are serialised as given; core's JSON type is narrower than what callers may pass.
    super.groupIdentifyStateless(
      groupType,
      groupKey,
      properties as PostHogEventProperties,
      { disableGeoip },
      distinctId
    )
  }

  /** Runs hooks and flag enrichment for `props`; rejects with `null` when a `before_send` hook dropped it. */
  prepareEventMessage(props: EventMessage): Promise<PreparedEvent> {
    return prepareEvent(
      {
        options: this.options,
        logger: this._logger,
        flagsForEvent: (distinctId, groups, disableGeoip, sendOptions) =>
          this.flagsForEvent(distinctId, groups, disableGeoip, sendOptions),
      },
      props
    )
  }

  /**
   * Flags attached to an event. Once definitions are in memory they are evaluated locally only (never remote, to
   * keep capture cheap); before that, `/flags` is asked unless the caller wants local values only.
   */
  private async flagsForEvent(
    distinctId: string,
    groups: Record<string, string | number> | undefined,
    disableGeoip: boolean | undefined,
    sendOptions: SendFeatureFlagsOptions | undefined
  ): Promise<Record<string, FeatureFlagValue> | undefined> {
    const personProperties = sendOptions?.personProperties || {}
    const groupProperties = sendOptions?.groupProperties || {}
    const hasLocalFlags = this.localFlags?.hasFlags() ?? false
    if (sendOptions?.onlyEvaluateLocally || hasLocalFlags) {
      if (!hasLocalFlags) {
        return {}
      }
      const stringGroups: Record<string, string> = {}
      for (const [type, key] of Object.entries(groups ?? {})) {
        stringGroups[type] = String(key)
      }
      return this.getAllFlags(distinctId, {
        groups: stringGroups,
        personProperties: personProperties as Record<string, string>,
        groupProperties: groupProperties as Record<string, Record<string, string>>,
        disableGeoip,
        onlyEvaluateLocally: true,
        flagKeys: sendOptions?.flagKeys,
      })
    }
    const remote = await this.getFeatureFlagsStateless(
      distinctId,
      groups,
      personProperties as Record<string, string>,
      groupProperties as Record<string, Record<string, string>>,
      disableGeoip
    )
    return remote.flags
  }

  // --- feature flags ---------------------------------------------------------------------------------------------

  /** Whether flags can be evaluated locally right now (definitions with at least one flag are loaded). */
  isLocalEvaluationReady(): boolean {
    const poller = this.featureFlagsPoller
    return poller !== undefined && poller.hasLoaded && (poller.definitions?.flagCount ?? 0) > 0
  }

  /**
   * Resolves `true` when local evaluation is ready, or at the next load (`true` if it brought flags); `false`
   * without local evaluation or after `timeoutMs`. While it waits, its timer and the poller's keep the process alive.
   */
  async waitForLocalEvaluationReady(timeoutMs: number = DEFAULT_WAIT_FOR_LOCAL_EVALUATION_MS): Promise<boolean> {
    if (this.isLocalEvaluationReady()) {
      return true
    }
    if (this.featureFlagsPoller === undefined) {
      return false
    }
    const keepAlive = this.keepAlive
    return keepAlive.during(
      new Promise<boolean>((resolve) => {
        const timer = keepAlive.setTimeout(() => {
          unsubscribe()
          resolve(false)
        }, timeoutMs)
        const unsubscribe = this._events.on('localEvaluationFlagsLoaded', (count: number) => {
          keepAlive.clearTimeout(timer)
          unsubscribe()
          resolve(count > 0)
        })
      })
    )
  }

  /**
   * The flag's value for this user: locally when definitions allow it, else from `/flags` (unless
   * `onlyEvaluateLocally`). Sends `$feature_flag_called` once per distinct response and user.
   */
  async getFeatureFlag(
    key: string,
    distinctId: string,
    options?: FeatureFlagEvaluationOptions
  ): Promise<FeatureFlagValue | undefined> {
    const { groups, disableGeoip } = options ?? {}
    const onlyEvaluateLocally = options?.onlyEvaluateLocally ?? false
    const sendFeatureFlagEvents = options?.sendFeatureFlagEvents ?? this.options.sendFeatureFlagEvent ?? true
    const { personProperties, groupProperties } = withDefaultFlagProperties(
      distinctId,
      groups,
      options?.personProperties,
      options?.groupProperties
    )

    let value = await this.localFlags?.getFlag(key, {
      distinctId,
      groups: groups ?? {},
      personProperties,
      groupProperties,
    })
    const locallyEvaluated = value !== undefined
    let detail: FeatureFlagDetail | undefined
    let requestId: string | undefined
    if (!locallyEvaluated && !onlyEvaluateLocally) {
      const remote = await this.getFeatureFlagDetailStateless(
        key,
        distinctId,
        groups,
        personProperties,
        groupProperties as Record<string, Record<string, string>>,
        disableGeoip
      )
      if (remote === undefined) {
        // The request failed: no value, and nothing worth reporting as a flag call.
        return undefined
      }
      detail = remote.response
      value = getFeatureFlagValue(detail)
      requestId = remote.requestId
    }

    if (sendFeatureFlagEvents && this.flagCalls.firstReport(distinctId, key, value)) {
      this.capture({
        distinctId,
        event: '$feature_flag_called',
        properties: flagCalledProperties({ key, value, locallyEvaluated, detail, requestId }),
        groups,
        disableGeoip,
      })
    }
    return value
  }

  /**
   * The flag's payload. With `matchValue` (the value from `getFeatureFlag`) a locally known flag is answered
   * without evaluation; otherwise the flag is evaluated first. Never sends `$feature_flag_called`.
   */
  async getFeatureFlagPayload(
    key: string,
    distinctId: string,
    matchValue?: FeatureFlagValue,
    options?: FeatureFlagPayloadOptions
  ): Promise<JsonType | undefined> {
    const { groups, disableGeoip } = options ?? {}
    const { personProperties, groupProperties } = withDefaultFlagProperties(
      distinctId,
      groups,
      options?.personProperties,
      options?.groupProperties
    )
    const local = await this.localFlags?.getPayload(
      key,
      { distinctId, groups: groups ?? {}, personProperties, groupProperties },
      matchValue
    )
    if (local !== undefined) {
      return local.payload
    }
    if (options?.onlyEvaluateLocally) {
      return undefined
    }
    return this.getFeatureFlagPayloadStateless(
      key,
      distinctId,
      groups,
      personProperties,
      groupProperties as Record<string, Record<string, string>>,
      disableGeoip
    )
  }

  /**
   * The decrypted payload of a remote config flag (needs `personalApiKey`). Resolves undefined when the request
   * fails; the server's answer is returned as is whatever its status.
   */
  async getRemoteConfigPayload(flagKey: string): Promise<JsonType | undefined> {
    if (!this.options.personalApiKey) {
      throw new Error(REMOTE_CONFIG_NEEDS_PERSONAL_KEY)
    }
    const response = await this._requestRemoteConfigPayload(flagKey)
    return response ? remoteConfigPayloadFrom(response) : undefined
  }

  private _requestRemoteConfigPayload(flagKey: string): Promise<PostHogFetchResponse | undefined> {
    if (!this.options.personalApiKey) {
      return Promise.resolve(undefined)
    }
    return requestRemoteConfig(
      {
        host: this.host,
        projectApiKey: this.apiKey,
        personalApiKey: this.options.personalApiKey,
        flagKey,
        headers: this.getCustomHeaders(),
        requestTimeoutMs: this.options.requestTimeout,
        fetch: (url, init) => this.fetch(url, init),
      },
      (error) => this._events.emit('error', error)
    )
  }

  /** `!!getFeatureFlag(...)`, keeping `undefined` when the flag could not be evaluated. Same events. */
  async isFeatureEnabled(
    key: string,
    distinctId: string,
    options?: FeatureFlagEvaluationOptions
  ): Promise<boolean | undefined> {
    const value = await this.getFeatureFlag(key, distinctId, options)
    return value === undefined ? undefined : !!value
  }

  /** Every flag's value for this user. */
  async getAllFlags(distinctId: string, options?: AllFlagsOptions): Promise<Record<string, FeatureFlagValue>> {
    const response = await this.flagsAndPayloads(distinctId, options, false)
    return response.featureFlags || {}
  }

  /**
   * Every flag's value and payload: locally what can be, then one `/flags` request when anything is missing
   * (unless `onlyEvaluateLocally`); server answers win.
   */
  async getAllFlagsAndPayloads(
    distinctId: string,
    options?: AllFlagsOptions
  ): Promise<PostHogFlagsAndPayloadsResponse> {
    return this.flagsAndPayloads(distinctId, options, true)
  }

  private async flagsAndPayloads(
    distinctId: string,
    options: AllFlagsOptions | undefined,
    withLocalPayloads: boolean
  ): Promise<PostHogFlagsAndPayloadsResponse> {
    const { groups, disableGeoip, flagKeys } = options ?? {}
    const { personProperties, groupProperties } = withDefaultFlagProperties(
      distinctId,
      groups,
      options?.personProperties,
      options?.groupProperties
    )
    const input: EvaluationInput = { distinctId, groups: groups ?? {}, personProperties, groupProperties }
    const local = await this.localFlags?.getAll(input, flagKeys, withLocalPayloads)
    let featureFlags: Record<string, FeatureFlagValue> = local?.flags ?? {}
    let featureFlagPayloads: Record<string, JsonType> = local?.payloads ?? {}
    if ((local?.incomplete ?? true) && !options?.onlyEvaluateLocally) {
      const remote = await this.getFeatureFlagsAndPayloadsStateless(
        distinctId,
        groups,
        personProperties,
        groupProperties as Record<string, Record<string, string>>,
        disableGeoip,
        flagKeys
      )
      featureFlags = { ...featureFlags, ...(remote.flags || {}) }
      featureFlagPayloads = { ...featureFlagPayloads, ...(remote.payloads || {}) }
    }
    return { featureFlags, featureFlagPayloads }
  }

  /** Fetches flag definitions now (no-op without local evaluation). Never rejects. */
  async reloadFeatureFlags(): Promise<void> {
    await this.featureFlagsPoller?.reload()
  }

  /**
   * Where this client's flag definitions came from (API, cache) and how often loads failed; undefined when local
   * evaluation is off.
   *
   * @experimental May change in a minor version.
   */
  getFlagDefinitionsStats(): FlagDefinitionsStats | undefined {
    return this.featureFlagsPoller?.getStats()
  }

  // --- error tracking --------------------------------------------------------------------------------------------

  /** Captures `error` as an `$exception` event (through `capture`, so hooks apply). */
  captureException(error: unknown, distinctId?: string, additionalProperties?: Record<string | number, unknown>): void {
    this.errorTracking.captureException(error, distinctId, additionalProperties)
  }

  /** Captures `error` as an `$exception` event through `captureImmediate`. */
  async captureExceptionImmediate(
    error: unknown,
    distinctId?: string,
    additionalProperties?: Record<string | number, unknown>
  ): Promise<void> {
    return this.errorTracking.captureExceptionImmediate(error, distinctId, additionalProperties)
  }

  // --- lifetime --------------------------------------------------------------------------------------------------

  /**
   * Stops polling and error tracking and sends everything queued. Resolves only once the definitions cache
   * provider has shut down too (bounded by `flagDefinitionCacheProviderTimeoutMs`, or the shutdown timeout when
   * shorter), so callers may close its connection afterwards. The process is held until then.
   */
  override _shutdown(shutdownTimeoutMs?: number): Promise<void> {
    return this.keepAlive.during(this.shutdownAll(shutdownTimeoutMs))
  }

  private async shutdownAll(shutdownTimeoutMs: number | undefined): Promise<void> {
    const timeoutMs = shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS
    const pollerStopped = this.featureFlagsPoller?.stop(timeoutMs) ?? Promise.resolve()
    this.errorTracking.shutdown()
    const [flushed] = await Promise.allSettled([super._shutdown(shutdownTimeoutMs), pollerStopped])
    if (flushed.status === 'rejected') {
      throw flushed.reason
    }
  }
}

/** A dropped event rejects with null (nothing to report); anything else is a bug in a hook or in the preparation. */
function reportPreparationFailure(error: unknown): void {
  if (error) {
    console.error(error)
  }
}
