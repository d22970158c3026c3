// One GET of /api/feature_flag/local_evaluation, turned into an outcome the refresh loop can act on. Never throws.
import type { PostHogFetchOptions, PostHogFetchResponse } from '@posthog/core'
import type { FlagDefinitionCacheData } from '../contracts/provider'
import { definitionsFromApiResponse } from '../definitions/validate'
import { backgroundTimers, describeError, settleWithin, type Timers } from '../shared/async'
import { responseEtag } from './not-modified'

export type FetchFn = (url: string, options: PostHogFetchOptions) => Promise<PostHogFetchResponse>

export type RequestOutcome =
  /** `data.etag` is the response's ETag, when it had one. */
  | { kind: 'ok'; data: FlagDefinitionCacheData }
  /** 304 to a request that carried `If-None-Match`: the definitions with that ETag are current. */
  | { kind: 'not-modified' }
  /** 402: the project's feature flag quota is exhausted. */
  | { kind: 'quota-limited' }
  /** 401, 403 or 429: the poller backs off. */
  | { kind: 'refused'; status: 401 | 403 | 429 }
  /** Network error, timeout, any other status, or a body that is not usable definitions. */
  | { kind: 'failed'; reason: string }

export interface DefinitionsRequest {
  host: string
  projectApiKey: string
  personalApiKey: string
  customHeaders: Record<string, string>
  /** Covers the whole exchange: connecting, headers and reading the body. */
  timeoutMs: number
  fetch: FetchFn
  /** Aborts the request early (the poller was stopped). */
  signal?: AbortSignal
  /** Where the deadline's timer comes from (unref'd by default). */
  timers?: Timers
  /** Sent as `If-None-Match`: the ETag of the definitions the caller holds. */
  etag?: string
}

export function definitionsUrl(host: string, projectApiKey: string): string {
  return `${host}/api/feature_flag/local_evaluation?token=${encodeURIComponent(projectApiKey)}&send_cohorts`
}

export async function requestDefinitions(request: DefinitionsRequest): Promise<RequestOutcome> {
  const controller = new AbortController()
  const abort = (): void => controller.abort()
  request.signal?.addEventListener('abort', abort, { once: true })
  try {
    // The bound covers reading the body too (a stalled body must not hang the load), and also wins against a custom
    // fetch that ignores the abort signal.
    const outcome = await settleWithin(
      () => exchange(request, controller.signal),
      request.timeoutMs,
      request.timers ?? backgroundTimers
    )
    if (outcome.status === 'ok') return outcome.value
    if (outcome.status === 'error')
      return { kind: 'failed', reason: `the request failed: ${describeError(outcome.error)}` }
    abort()
    return { kind: 'failed', reason: `no complete response within ${request.timeoutMs}ms (requestTimeout)` }
  } finally {
    request.signal?.removeEventListener('abort', abort)
  }
}

async function exchange(request: DefinitionsRequest, signal: AbortSignal): Promise<RequestOutcome> {
  const fetch = request.fetch // called as a plain function: some edge runtimes reject a fetch bound to another object
  const options: PostHogFetchOptions = {
    method: 'GET',
    headers: {
      ...request.customHeaders,
      'Content-Type': 'application/json',
      Authorization: `Bearer ${request.personalApiKey}`,
      ...(request.etag ? { 'If-None-Match': request.etag } : {}),
    },
    signal,
  }
  let response: PostHogFetchResponse
  try {
    response = await fetch(definitionsUrl(request.host, request.projectApiKey), options)
  } catch (error) {
    return { kind: 'failed', reason: `the request failed: ${describeError(error)}` }
  }
  try {
    if (!response) return { kind: 'failed', reason: 'fetch resolved without a response' }
    const status = response.status
    if (status === 401 || status === 403 || status === 429) return { kind: 'refused', status }
    if (status === 402) return { kind: 'quota-limited' }
    if (status === 304 && request.etag) return { kind: 'not-modified' }
    if (status !== 200) return { kind: 'failed', reason: `unexpected HTTP status ${status}` }
    let body: unknown
    try {
      body = await response.json()
    } catch (error) {
      return { kind: 'failed', reason: `the response body could not be read as JSON: ${describeError(error)}` }
    }
    const result = definitionsFromApiResponse(body ?? {})
    if (!result.ok) return { kind: 'failed', reason: `invalid response: ${result.reason}` }
    const etag = responseEtag(response)
    return { kind: 'ok', data: etag ? { ...result.data, etag } : result.data }
  } catch (error) {
    return { kind: 'failed', reason: `the response could not be handled: ${describeError(error)}` }
  }
}
