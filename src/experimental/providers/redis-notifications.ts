// Redis change notifications: the writer PUBLISHes on the entry's channel in the same script that stores; every
// other process listens on a connection duplicated from the user's client (never the user's own: a subscribed
// connection can run nothing else). ioredis re-subscribes after a reconnect; whatever was published meanwhile is
// made up for by one notification when the connection is ready again.
import { describeError, settleWithin, unref } from '../../shared/async'

/**
 * The connection the provider subscribes on, as ioredis' `duplicate()` returns it (a `Redis` or a `Cluster`). Typed
 * structurally so this package never loads ioredis itself.
 *
 * @experimental May change in a minor version.
 */
export interface RedisSubscriberLike {
  /** SUBSCRIBE; sent again on every 'ready' (ioredis also re-subscribes by itself after a reconnect). */
  subscribe(channel: string): Promise<unknown>
  /** 'ready', 'error' and 'message' (channel, message) are listened to. */
  on(event: string, listener: (...args: unknown[]) => void): unknown
  /** Ends the connection at shutdown. */
  quit(): Promise<unknown>
  /** Ends it when quit does not answer in time. */
  disconnect(): void
  /** ioredis' connection state: 'wait' (lazyConnect) makes the provider call connect(). */
  readonly status?: string
  /** Connects a lazyConnect duplicate. */
  connect?(): Promise<unknown>
}

/** The channel of one entry: named from its key (and so its hash tag), distinct from every key. */
export const redisChangeChannel = (entryKey: string): string => `${entryKey}:changed`

export interface RedisNotificationsOptions {
  duplicate: () => RedisSubscriberLike
  channel: string
  /** Messages carrying this id were published by this provider instance: no need to re-read what it just wrote. */
  selfId: string
  warn: (message: string) => void
  timeoutMs: number
}

/** Subscribes; returns what ends the subscription (quits the duplicated connection). */
export function subscribeToRedisChanges(options: RedisNotificationsOptions, onChange: () => void): () => Promise<void> {
  const subscriber = options.duplicate()
  let stopped = false
  let readyBefore = false
  let warned = false
  const warnOnce = (message: string): void => {
    if (warned) return
    warned = true
    options.warn(message)
  }
  const onReady = (): void => {
    if (stopped) return
    // The connection of a subscriber must not keep a process alive (the client's own timers never do).
    unref((subscriber as { stream?: unknown }).stream)
    subscriber.subscribe(options.channel).then(
      () => {
        warned = false
        // Back after a lost connection: a change may have been published meanwhile.
        if (readyBefore && !stopped) onChange()
        readyBefore = true
      },
      (error: unknown) => warnOnce(`could not subscribe to ${options.channel}; polling only (${describeError(error)})`)
    )
  }
  subscriber.on('ready', onReady)
  subscriber.on('error', (error: unknown) =>
    warnOnce(`the change subscription lost its connection; polling until it is back (${describeError(error)})`)
  )
  subscriber.on('message', (channel: unknown, message: unknown) => {
    if (!stopped && channel === options.channel && message !== options.selfId) onChange()
  })
  if (subscriber.status === 'ready') onReady()
  else if (subscriber.status === 'wait') subscriber.connect?.().catch(() => undefined) // lazyConnect clients
  return async () => {
    stopped = true
    await settleWithin(() => subscriber.quit(), options.timeoutMs)
    subscriber.disconnect()
  }
}
