// The messages the client captures, public and shared with error tracking and the integrations, which build them
// without depending on the client.

/** A person to identify, with the properties to set on them. */
export interface IdentifyMessage {
  /** The user's unique id. */
  distinctId: string
  /**
   * `$set` / `$set_once` are honoured; any other key is set on the person. Values are free-form (hooks such as
   * `before_send` read them), so the value type stays open.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  properties?: Record<string | number, any>
  /** Overrides the client's `disableGeoip` for this call. */
  disableGeoip?: boolean
}

/** How flag values are attached to a captured event (`sendFeatureFlags`). */
export interface SendFeatureFlagsOptions {
  /** Use only locally evaluated flags (needs a personal API key); never calls `/flags`. */
  onlyEvaluateLocally?: boolean
  /** Person properties the flags are evaluated with (event properties are not used). */
  personProperties?: Record<string, unknown>
  /** Group type to group properties the flags are evaluated with. */
  groupProperties?: Record<string, Record<string, unknown>>
  /** Only these flags are evaluated. */
  flagKeys?: string[]
}

/** One event to capture. */
export interface EventMessage extends IdentifyMessage {
  /** The event name, e.g. `movie played`. */
  event: string
  /** Group type to group key, sent as `$groups`. */
  groups?: Record<string, string | number>
  /** `true` or options: attach `$feature/<key>` properties and `$active_feature_flags`. */
  sendFeatureFlags?: boolean | SendFeatureFlagsOptions
  /** Defaults to now. */
  timestamp?: Date
  /** Defaults to a fresh UUIDv7. */
  uuid?: string
}

/** A group to create or update. */
export interface GroupIdentifyMessage {
  /** The kind of group, e.g. `company`. */
  groupType: string
  /** The group's identifier within its type. */
  groupKey: string
  /** Set on the group. */
  properties?: Record<string | number, unknown>
  /** Defaults to `$<groupType>_<groupKey>`. */
  distinctId?: string
  /** Overrides the client's `disableGeoip` for this call. */
  disableGeoip?: boolean
}

/** Receives each event before it is queued; return it (possibly changed) to keep it, or `null` to drop it. */
export type BeforeSendFn = (event: EventMessage | null) => EventMessage | null
