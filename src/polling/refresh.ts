// One refresh of the definitions, the decision the poller makes on every cycle:
//
//   first load with a provider: read the cache; a valid copy ends the cycle (a warm start, zero API calls). The
//       read and shouldFetch share one provider timeout: a hung cache costs a cold process one timeout, not two
//   provider says fetch (or fails to answer) → GET from the API → publish → hand a copy to the provider
//       the GET failed (not 402) → read the cache, another process may have stored a fresher copy
//   provider says don't → read the cache; nothing there and nothing in memory → wait briefly for the lease holder
//       to store (re-reading the cache), then fetch for ourselves only
//   no provider → GET from the API
//   a request carries If-None-Match with the ETag of the definitions in memory (with a provider, only if it takes
//   the 304: onFlagDefinitionsNotModified); a 304 keeps them and, with a provider, marks the entry fresh
//
// The poller stops any of this as soon as it is stopped: no provider call, no state change, no report after that.
import type { FlagDefinitionCacheData } from '../contracts/provider'
import { deadlineIn } from '../shared/async'
import type { Backoff } from './backoff'
import type { RequestOutcome } from './definitions-request'
import { QUOTA_LIMITED_WARNING, refusalError } from './errors'
import type { InMemoryDefinitions } from './in-memory-definitions'
import { etagOf } from './not-modified'
import type { ProviderGuard } from './provider-guard'
import type { StatsRecorder } from './stats'

export interface RefreshContext {
  readonly inMemory: InMemoryDefinitions
  readonly provider: ProviderGuard | undefined
  readonly stats: StatsRecorder
  readonly backoff: Backoff
  isStopped(): boolean
  /** `etag`: sent as If-None-Match. */
  request(etag: string | undefined): Promise<RequestOutcome>
  report(error: Error): void
  /** New definitions are in memory: waiting evaluations may go on, listeners hear the flag count. */
  published(flagCount: number): void
  log(message: string): void
  /** How long a process with nothing loaded waits for another one's fetch before fetching for itself. */
  readonly coldStartWaitMs: number
  /** Resolves after ms, or at once when the poller stops. */
  sleep(ms: number): Promise<void>
}

export async function refresh(ctx: RefreshContext, initial: boolean): Promise<void> {
  const { provider } = ctx
  if (!provider) {
    await fetchFromApi(ctx, ctx.inMemory.etag)
    return
  }
  let shouldFetch: boolean
  if (initial) {
    const left = deadlineIn(provider.timeoutMs)
    const read = await readCache(ctx, 'at start-up')
    if (read === 'hit' || ctx.isStopped()) return
    if (read === 'timed-out') {
      // The cache is hung: asking it for the lease would make the first evaluation wait a second timeout. Fetch for
      // this process only; it holds no lease, so it does not write.
      ctx.log('The cache did not answer at start-up: fetching definitions without storing them')
      await fetchFromApi(ctx, undefined)
      return
    }
    shouldFetch = await provider.shouldFetch(Math.max(1, left()))
  } else {
    shouldFetch = await provider.shouldFetch()
  }
  if (ctx.isStopped()) return
  if (!shouldFetch) {
    const read = await readCache(ctx, 'as a follower')
    if (read === 'hit') {
      // The API did not refuse us this cycle (we did not ask), so a past refusal no longer slows the cache reads.
      ctx.backoff.reset()
      return
    }
    if (ctx.isStopped() || ctx.inMemory.hasLoaded) return
    // A fleet starting together: one process holds the lease and is fetching. Its copy usually lands within one API
    // round trip, so re-read the cache for a short, bounded while instead of every process fetching at once.
    if (read === 'miss' && (await waitForLeaseHolder(ctx))) return
    if (ctx.isStopped() || ctx.inMemory.hasLoaded) return
    // Nothing in the cache and nothing in memory: local evaluation could never start if we kept waiting for the
    // process that holds the lease, so fetch for ourselves without claiming the cache.
    ctx.log('The cache is empty and nothing is loaded: fetching definitions without storing them')
    await fetchFromApi(ctx, undefined)
    return
  }

  const etag = provider.handlesNotModified ? ctx.inMemory.etag : undefined
  let outcome = await fetchFromApi(ctx, etag)
  if (ctx.isStopped()) return
  if (outcome.kind === 'not-modified' && etag && !(await provider.notModified(etag)) && !ctx.isStopped()) {
    // The shared entry holds other data than the ETag PostHog confirmed: download in full to replace it.
    outcome = await fetchFromApi(ctx, undefined)
    if (ctx.isStopped()) return
  }
  if (outcome.kind === 'ok') {
    // Published before the write, so a slow cache never delays evaluations; the provider gets its own copy.
    await provider.write(structuredClone(outcome.data))
  } else if (outcome.kind !== 'quota-limited' && outcome.kind !== 'not-modified') {
    await readCache(ctx, 'after the API request failed')
  }
}

async function waitForLeaseHolder(ctx: RefreshContext): Promise<boolean> {
  let waited = 0
  for (let delay = 50; waited < ctx.coldStartWaitMs; delay *= 2) {
    const step = Math.min(delay, ctx.coldStartWaitMs - waited)
    await ctx.sleep(step)
    waited += step
    if (ctx.isStopped()) return false
    const read = await readCache(ctx, 'after waiting for the process that fetches')
    // Only an empty cache is worth waiting on; unreadable or invalid data will not fix itself in a second.
    if (read !== 'miss') return read === 'hit'
  }
  return false
}

/**
 * What a cache read gave this load: definitions now in memory, the ones already in memory (same ETag, nothing
 * replaced), nothing, nothing usable, or no answer in time.
 */
export type CacheOutcome = 'hit' | 'same' | 'miss' | 'unusable' | 'timed-out'

export async function readCache(ctx: RefreshContext, when: string, skipSame = false): Promise<CacheOutcome> {
  const read = await ctx.provider!.read()
  if (ctx.isStopped()) return 'unusable'
  if (read.kind === 'failed') return read.timedOut ? 'timed-out' : 'unusable'
  if (read.kind === 'miss') {
    ctx.stats.count('cacheMisses')
    return 'miss'
  }
  const etag = skipSame ? etagOf(read.value) : undefined
  if (etag && etag === ctx.inMemory.etag) {
    ctx.stats.count('cacheHits')
    return 'same'
  }
  const accepted = ctx.inMemory.acceptCached(read.value)
  if (!accepted.ok) {
    ctx.stats.count('cacheInvalid')
    ctx.provider!.reportInvalid(accepted.reason)
    return 'unusable'
  }
  ctx.stats.count('cacheHits')
  ctx.stats.loaded('cache', accepted.flagCount)
  ctx.log(`Loaded ${accepted.flagCount} flag definitions from the cache ${when}`)
  ctx.published(accepted.flagCount)
  return 'hit'
}

type FetchOutcome =
  | { kind: 'ok'; data: FlagDefinitionCacheData }
  | { kind: 'not-modified' }
  | { kind: 'quota-limited' }
  | { kind: 'failed' }

async function fetchFromApi(ctx: RefreshContext, etag: string | undefined): Promise<FetchOutcome> {
  if (ctx.isStopped()) return { kind: 'failed' }
  ctx.stats.count('apiFetches')
  const outcome = await ctx.request(etag)
  if (ctx.isStopped()) return { kind: 'failed' }
  switch (outcome.kind) {
    case 'not-modified':
      ctx.stats.count('notModified')
      ctx.backoff.reset()
      ctx.log('Flag definitions not modified (304): keeping the definitions in memory')
      return { kind: 'not-modified' }
    case 'ok': {
      const accepted = ctx.inMemory.acceptFetched(outcome.data)
      if (!accepted.ok) return failed(ctx, accepted.reason)
      ctx.backoff.reset()
      ctx.stats.loaded('api', accepted.flagCount)
      ctx.log(`Loaded ${accepted.flagCount} flag definitions from the API`)
      ctx.published(accepted.flagCount)
      return { kind: 'ok', data: outcome.data }
    }
    case 'quota-limited':
      ctx.stats.count('apiFetchFailures')
      console.warn(QUOTA_LIMITED_WARNING)
      ctx.inMemory.clear()
      ctx.stats.flagCount(ctx.inMemory.definitions?.flagCount ?? 0)
      return { kind: 'quota-limited' }
    case 'refused':
      ctx.stats.count('apiFetchFailures')
      ctx.backoff.fail()
      ctx.report(refusalError(outcome.status, ctx.backoff.intervalMs))
      return { kind: 'failed' }
    case 'failed':
      return failed(ctx, outcome.reason)
  }
}

function failed(ctx: RefreshContext, reason: string): FetchOutcome {
  ctx.stats.count('apiFetchFailures')
  const kept = ctx.inMemory.hasLoaded ? 'keeping the definitions already loaded' : 'local evaluation is not ready yet'
  ctx.report(new Error(`Failed to load feature flag definitions from the API: ${reason}; ${kept}`))
  return { kind: 'failed' }
}
