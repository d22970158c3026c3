// PostgreSQL change notifications: the writer calls pg_notify in the statement that stores (so in its transaction:
// delivered on commit, never for a write that did not happen); every process LISTENs on one connection taken from
// the user's pool. A pooler in transaction mode (PgBouncer's pool_mode = transaction) hands that connection's
// server session to others between transactions, so LISTEN never hears anything: a probe notification sent through
// the pool tells, and the provider then polls only, saying so once.
import { describeError, unref, unrefTimeout, withTimeout, type TimerHandle } from '../../shared/async'

/**
 * One connection checked out of a pg `Pool` (`PoolClient`), as far as listening needs it.
 *
 * @experimental May change in a minor version.
 */
export interface PostgresListenClientLike {
  /** Runs `LISTEN <channel>` and, at the end, `UNLISTEN *` (no values, no user input). */
  query(text: string): Promise<unknown>
  /** 'notification', 'error' and 'end' are listened to. */
  on(event: string, listener: (...args: unknown[]) => void): unknown
  /** Gives the connection back at the end; with an error (or true) it is destroyed instead. */
  release(error?: Error | boolean): void
}

/** The channel of one entry: a plain identifier (so it needs no quoting), distinct per row key (key and version). */
export const postgresChangeChannel = (cacheKey: string): string =>
  `posthog_flags_${cacheKey.replace(/[^a-z0-9]/g, '_')}`.slice(0, 63)

export interface PostgresNotificationsOptions {
  connect: () => Promise<PostgresListenClientLike>
  /** Runs one statement through the pool (the probe must come from another session than the listener). */
  query: (text: string, values: unknown[]) => Promise<unknown>
  channel: string
  selfId: string
  timeoutMs: number
  warn: (message: string) => void
  /** Called once when LISTEN turned out not to work through this pool (the caller says so and counts it). */
  unavailable: () => void
}

const MAX_RETRY_MS = 30_000
const PROBE = 'probe:'

/** Listens; returns what stops listening (and gives the connection back to the pool). */
export function listenForPostgresChanges(
  options: PostgresNotificationsOptions,
  onChange: () => void
): () => Promise<void> {
  let stopped = false
  let client: PostgresListenClientLike | undefined
  let retryTimer: TimerHandle | undefined
  let retryMs = 1000
  let connectedBefore = false
  let warned = false
  const warnOnce = (message: string): void => {
    if (!warned) options.warn(message)
    warned = true
  }

  const drop = (current: PostgresListenClientLike, error?: Error): void => {
    if (client !== current) return
    client = undefined
    try {
      current.release(error ?? true) // destroyed, not returned: it may still be listening
    } catch {
      // already gone
    }
  }

  const retryLater = (): void => {
    if (stopped) return
    retryTimer = unrefTimeout(() => void listen(), retryMs)
    retryMs = Math.min(MAX_RETRY_MS, retryMs * 2)
  }

  const listen = async (): Promise<void> => {
    if (stopped) return
    let current: PostgresListenClientLike
    try {
      current = await options.connect()
    } catch (error) {
      warnOnce(`could not take a connection to LISTEN on; polling until it works (${describeError(error)})`)
      return retryLater()
    }
    if (stopped) return current.release()
    client = current
    const probe = `${PROBE}${options.selfId}:${Math.random().toString(36).slice(2)}`
    let heardProbe: () => void = () => undefined
    const probeHeard = new Promise<boolean>((resolve) => {
      heardProbe = () => resolve(true)
      unrefTimeout(() => resolve(false), Math.min(options.timeoutMs, 2000))
    })
    current.on('notification', (notification: unknown) => {
      const message = notification as { channel?: unknown; payload?: unknown }
      if (stopped || message.channel !== options.channel) return
      if (message.payload === probe) return heardProbe()
      // Other processes' probes are no change; neither is this instance's own write.
      if (typeof message.payload === 'string' && message.payload.startsWith(PROBE)) return
      if (message.payload !== options.selfId) onChange()
    })
    const lost = (error?: Error): void => {
      if (client !== current) return
      drop(current, error)
      warnOnce(`the LISTEN connection was lost; polling until it is back (${error?.message ?? 'connection ended'})`)
      retryLater()
    }
    current.on('error', (error: unknown) => lost(error instanceof Error ? error : new Error(describeError(error))))
    current.on('end', () => lost())
    unref((current as { connection?: { stream?: unknown } }).connection?.stream)
    try {
      await current.query(`LISTEN ${options.channel}`)
      await options.query('SELECT pg_notify($1, $2)', [options.channel, probe])
    } catch (error) {
      if (client === current) lost(error as Error)
      return
    }
    if (!(await probeHeard)) {
      if (client !== current) return
      drop(current)
      stopped = true
      options.unavailable()
      return
    }
    warned = false
    retryMs = 1000
    // Back after a lost connection: a change may have been stored meanwhile.
    if (connectedBefore) onChange()
    connectedBefore = true
  }

  void listen()
  return async () => {
    stopped = true
    clearTimeout(retryTimer)
    const current = client
    client = undefined
    if (!current) return
    try {
      await withTimeout(current.query('UNLISTEN *'), options.timeoutMs, 'UNLISTEN')
      current.release()
    } catch (error) {
      current.release(error as Error)
    }
  }
}
