// The contract between the lease policy (leased-cache.ts) and a store: four atomic operations. Everything else
// (encoding, HMAC, size bound, validation, timeouts, fallbacks, logging, counters) is the policy's job, so a store
// for a new backend is only these four.

/**
 * What one {@link LeaseStore.tryTakeLease} call found: `'fresh'` (the stored entry is younger than `maxAgeMs`: read
 * it), `'taken'` (the entry is stale or missing and this token now holds the lease: fetch), `'busy'` (stale or
 * missing, but another token holds an unexpired lease).
 *
 * @experimental May change in a minor version.
 */
export type LeaseOutcome = 'taken' | 'fresh' | 'busy'

/**
 * The timing a store applies in one operation, passed on every call so a store needs no configuration of its own.
 *
 * @experimental May change in a minor version.
 */
export interface LeaseTiming {
  /**
   * An entry stored less than this many milliseconds ago is fresh. `0` means "treat the stored entry as stale
   * whatever its age": the policy passes it after reading an entry it had to refuse, so that a fetch replaces it.
   */
  maxAgeMs: number
  /** How long a lease taken by this call lasts, in milliseconds. */
  leaseMs: number
}

/**
 * One stored entry as the store keeps it. The store records when it was written (`fetchedAt`, by its own clock
 * where it has one) next to it; the policy never needs that time back, only the freshness verdict of
 * {@link LeaseStore.tryTakeLease}.
 *
 * @experimental May change in a minor version.
 */
export interface StoredEntry {
  /** The encoded entry ({@link FlagDefinitionsCodec}): keep it byte for byte, it may carry an HMAC tag over itself. */
  payload: string
  /**
   * The ETag of the definitions in `payload`, when PostHog sent one. A store with {@link LeaseStore.markFresh} keeps
   * it next to the payload, written in the same atomic operation, so the two never disagree.
   */
  etag?: string
}

/**
 * What {@link LeaseStore.readEntry} found: the entry, or `{ refused }` with the reason the store would not hand it
 * over (too large, a file it does not own). `undefined` means nothing is stored.
 *
 * @experimental May change in a minor version.
 */
export type StoredEntryRead = StoredEntry | { refused: string }

/**
 * The bound a read must respect.
 *
 * @experimental May change in a minor version.
 */
export interface ReadLimits {
  /**
   * Entries larger than this many bytes are refused. A store that can learn the size before loading the entry
   * should answer `{ refused }` without loading it; the policy checks the size again either way.
   */
  maxEntryBytes: number
}

/**
 * The four atomic operations a store supplies to {@link LeasedFlagDefinitionCache}, for one shared entry (build the
 * entry's name from {@link flagDefinitionsStorageName}). Each may throw or reject: the policy bounds every call by
 * `timeoutMs`, catches, logs and falls back. Each must be atomic on the store (one script, one statement, one
 * conditional write), because many processes call them at once.
 *
 * @experimental May change in a minor version.
 */
export interface LeaseStore {
  /**
   * Atomically: `'fresh'` if an entry was written less than `timing.maxAgeMs` ago; otherwise, if the lease is
   * missing or expired, take it for `token` for `timing.leaseMs` and answer `'taken'`; otherwise `'busy'`.
   */
  tryTakeLease(token: string, timing: LeaseTiming): Promise<LeaseOutcome>
  /** Reads the stored entry: `undefined` when there is none. */
  readEntry(limits: ReadLimits): Promise<StoredEntryRead | undefined>
  /**
   * Atomically: if `token` holds the lease, replace the entry (stamping the write time) and delete the lease;
   * otherwise (`token` undefined, or its lease lapsed and maybe passed to another) replace the entry only if it is
   * missing or older than `timing.maxAgeMs`, and leave the lease alone. A late writer must never replace the fresh
   * copy of the current holder.
   */
  writeEntry(entry: StoredEntry, token: string | undefined, timing: LeaseTiming): Promise<void>
  /** Atomically: delete the lease only if `token` still holds it (compare-and-delete). */
  releaseLease(token: string): Promise<void>
  /**
   * Optional (the fleet's shared ETag). Atomically: if the stored entry carries `etag`, stamp it as written now
   * without changing it (PostHog answered 304: it is current) and delete the lease if `token` holds it; answer true.
   * Otherwise change nothing and answer false. Not a write: notify no one.
   */
  markFresh?(etag: string, token: string | undefined): Promise<boolean>
  /**
   * Optional (push). Call `onChange` whenever another process wrote the entry (a spurious call costs one read);
   * return what ends the subscription. Report problems through `events.warn`, and call `events.unavailable` once if
   * notifications cannot work at all here (the provider then polls only).
   */
  subscribe?(onChange: () => void, events: ChangeSubscriptionEvents): () => Promise<void> | void
}

/**
 * What a store's {@link LeaseStore.subscribe} reports back.
 *
 * @experimental May change in a minor version.
 */
export interface ChangeSubscriptionEvents {
  /** A problem worth a log line (logged once per run of identical kinds). */
  warn(message: string): void
  /** Notifications cannot work through this connection (counted and said once); polling goes on. */
  unavailable(reason: string): void
}
