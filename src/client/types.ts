// The public message, option and interface types of the client. Names and shapes match posthog-node 5.13.2 so that
// code written against it compiles unchanged; the flag-definition and message types live in contracts/ and are
// re-exported.
import type {
  FeatureFlagValue,
  JsonType,
  PostHogCoreOptions,
  PostHogFetchOptions,
  PostHogFetchResponse,
} from '@posthog/core'
import type { BeforeSendFn, EventMessage, GroupIdentifyMessage, IdentifyMessage } from '../contracts/events'
import type { FlagDefinitionCacheProvider } from '../contracts/provider'

export type {
  FeatureFlagCondition,
  FlagProperty,
  FlagPropertyValue,
  PostHogFeatureFlag,
  PropertyGroup,
} from '../contracts/flag-definitions'

export type {
  BeforeSendFn,
  EventMessage,
  GroupIdentifyMessage,
  IdentifyMessage,
  SendFeatureFlagsOptions,
} from '../contracts/events'

/** Options of `new PostHog(apiKey, options)`: the core options plus the server-side ones. */
export type PostHogOptions = PostHogCoreOptions & {
  /** Only in-memory storage exists on the server. */
  persistence?: 'memory'
  /** Enables local flag evaluation (polling of definitions) and `getRemoteConfigPayload`. Starts with `phx_`. */
  personalApiKey?: string
  /** Accepted for compatibility; has no effect on the server client. */
  privacyMode?: boolean
  /** Capture uncaught exceptions and unhandled rejections as `$exception` events. */
  enableExceptionAutocapture?: boolean
  /**
   * How often flag definitions are refreshed, in ms (default 30000). Values below 100 become 100; values that are
   * not finite positive numbers are replaced by 30000 with a warning. The effective value is written back here.
   */
  featureFlagsPollingInterval?: number
  /** How many distinct ids the `$feature_flag_called` de-duplication remembers (default 50000). */
  maxCacheSize?: number
  /** Replaces the global `fetch` for every request this client makes. */
  fetch?: (url: string, options: PostHogFetchOptions) => Promise<PostHogFetchResponse>
  /** `false` disables local evaluation even when a personal API key is given. */
  enableLocalEvaluation?: boolean
  /**
   * Shares flag definitions between processes (Redis, PostgreSQL, file...): see `posthog-node/experimental`.
   * Used only when local evaluation is on (a personal API key and `enableLocalEvaluation !== false`).
   *
   * @experimental May change in a minor version.
   */
  flagDefinitionCacheProvider?: FlagDefinitionCacheProvider
  /**
   * How long one call of the `flagDefinitionCacheProvider` may take before the client gives up on it (a read counts
   * as a miss, `shouldFetchFlagDefinitions` as "fetch"). Default 3000. It bounds `shutdown()` too (or the shutdown
   * timeout, when that is shorter), and at start-up the cache read and `shouldFetchFlagDefinitions` share one such
   * bound, so a hung cache delays the first flag by at most this long.
   *
   * @experimental May change in a minor version.
   */
  flagDefinitionCacheProviderTimeoutMs?: number
  /** Runs on every captured event, in order when an array; a function returning `null` drops the event. */
  before_send?: BeforeSendFn | BeforeSendFn[]
  /** Only flags tagged with one of these evaluation environments (or with none) are evaluated by `/flags`. */
  evaluationEnvironments?: readonly string[]
  /** Extra user-agent substrings treated as bots (with `__preview_capture_bot_pageviews`). */
  custom_blocked_useragents?: string[]
  /**
   * PREVIEW, may change without notice: rename `$pageview` events whose `$raw_user_agent` property is a bot's to
   * `$bot_pageview`.
   */
  __preview_capture_bot_pageviews?: boolean
}

/** Who flags are evaluated for, and whether the server may be asked: what every flag method takes. */
export interface FlagTargetOptions {
  /** Group type to group key, for flags that aggregate by group. */
  groups?: Record<string, string>
  /** Person properties to evaluate with, on top of what PostHog knows (needed for local evaluation). */
  personProperties?: Record<string, string>
  /** Group type to that group's properties to evaluate with. */
  groupProperties?: Record<string, Record<string, string>>
  /** Answer from the local definitions only: `undefined` instead of asking `/flags`. */
  onlyEvaluateLocally?: boolean
  /** Overrides the client's `disableGeoip` for this call. */
  disableGeoip?: boolean
}

/** Options of `getFeatureFlag` and `isFeatureEnabled`. */
export interface FeatureFlagEvaluationOptions extends FlagTargetOptions {
  /** `false` skips the `$feature_flag_called` event (default `true`, once per distinct id, flag and value). */
  sendFeatureFlagEvents?: boolean
}

/** Options of `getFeatureFlagPayload`. */
export interface FeatureFlagPayloadOptions extends FlagTargetOptions {
  /**
   * Accepted for compatibility.
   *
   * @deprecated Has no effect: payload lookups never send `$feature_flag_called`.
   */
  sendFeatureFlagEvents?: boolean
}

/** Options of `getAllFlags` and `getAllFlagsAndPayloads`. */
export interface AllFlagsOptions extends FlagTargetOptions {
  /** Only these flags are evaluated. */
  flagKeys?: string[]
}

/** The options `IPostHog` declares for its flag methods (the class accepts `disableGeoip` too). */
export type IPostHogFlagOptions = Omit<FeatureFlagEvaluationOptions, 'disableGeoip'>

/** The client's main operations, as an interface for wrappers and test doubles. */
export interface IPostHog {
  /** Queues an event; returns at once. */
  capture({ distinctId, event, properties, groups, sendFeatureFlags }: EventMessage): void
  /** Sends an event now, bypassing the queue; resolves once it was sent. */
  captureImmediate({ distinctId, event, properties, groups, sendFeatureFlags }: EventMessage): Promise<void>
  /** Queues a `$identify` event setting person properties. */
  identify({ distinctId, properties }: IdentifyMessage): void
  /** Sends a `$identify` event now. */
  identifyImmediate({ distinctId, properties }: IdentifyMessage): Promise<void>
  /** Queues a `$create_alias` event linking `alias` (the earlier id) to `distinctId`. */
  alias(data: { distinctId: string; alias: string }): void
  /** Sends a `$create_alias` event now. */
  aliasImmediate(data: { distinctId: string; alias: string }): Promise<void>
  /** `true`/`false` for the flag, or `undefined` when it could not be evaluated. */
  isFeatureEnabled(key: string, distinctId: string, options?: IPostHogFlagOptions): Promise<boolean | undefined>
  /** The flag's value (variant key or boolean), or `undefined` when it could not be evaluated. */
  getFeatureFlag(key: string, distinctId: string, options?: IPostHogFlagOptions): Promise<FeatureFlagValue | undefined>
  /** The payload of the flag for `matchValue` (pass the value from `getFeatureFlag` to avoid a request). */
  getFeatureFlagPayload(
    key: string,
    distinctId: string,
    matchValue?: FeatureFlagValue,
    options?: { onlyEvaluateLocally?: boolean }
  ): Promise<JsonType | undefined>
  /** Queues a `$groupidentify` event setting group properties. */
  groupIdentify({ groupType, groupKey, properties }: GroupIdentifyMessage): void
  /** Fetches flag definitions now (local evaluation only). */
  reloadFeatureFlags(): Promise<void>
  /** Flushes everything queued and stops background work; call once before the process exits. */
  shutdown(shutdownTimeoutMs?: number): void
  /** Resolves `true` once definitions are loaded, `false` after `timeoutMs` or without local evaluation. */
  waitForLocalEvaluationReady(timeoutMs?: number): Promise<boolean>
  /** Whether flags can be evaluated locally right now. */
  isLocalEvaluationReady(): boolean
}
