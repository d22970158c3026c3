// Push, then pull: a provider that can tell when another process stored new definitions (subscribe) makes every
// process reload them from the cache at once instead of at its next poll. A notification only ever causes a cache
// read, never an API request, and the poller coalesces a burst of them into one read (see poller.ts).
import { readCache, type RefreshContext } from './refresh'

/** What a load started by a notification does: one cache read; definitions already in memory are not re-prepared. */
export async function reloadAfterNotification(ctx: RefreshContext): Promise<void> {
  if (!ctx.provider || ctx.isStopped()) return
  const read = await readCache(ctx, 'after a change notification', true)
  if (read === 'hit') ctx.stats.count('notificationReloads')
}
