// One GET of /api/feature_flag/local_evaluation, turned into an outcome the refresh loop can act on. Never throws.
import type { PostHogFetchOptions, PostHogFetchResponse } from '@posthog/core'
import type { FlagDefinitionCacheData } from '../contracts/provider'
import { definitionsFromApiResponse } from '../definitions/validate'
import { describeError } from './settle'
import { unrefTimeout } from './timers'

export type FetchFn = (url: string, options: PostHogFetchOptions) => Promise<PostHogFetchResponse>

export type RequestOutcome =
  | { kind: 'ok'; data: FlagDefinitionCacheData }
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
}

export function definitionsUrl(host: string, projectApiKey: string): string {
  return `${host}/api/feature_flag/local_evaluation?token=${encodeURIComponent(projectApiKey)}&send_cohorts`
}

export async function requestDefinitions(request: DefinitionsRequest): Promise<RequestOutcome> {
  const controller = new AbortController()
  const abort = (): void => controller.abort()
  request.signal?.addEventListener('abort', abort, { once: true })
  let timer: ReturnType<typeof setTimeout> | undefined
  // The deadline stays armed until the body is read (a stalled body must not hang the load), and also wins against
  // a custom fetch that ignores the abort signal.
  const deadline = new Promise<RequestOutcome>((resolve) => {
    timer = unrefTimeout(() => {
      abort()
      resolve({ kind: 'failed', reason: `no complete response within ${request.timeoutMs}ms (requestTimeout)` })
    }, request.timeoutMs)
  })
  try {
    return await Promise.race([exchange(request, controller.signal), deadline])
  } finally {
    clearTimeout(timer)
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
    if (status !== 200) return { kind: 'failed', reason: `unexpected HTTP status ${status}` }
    let body: unknown
    try {
      body = await response.json()
    } catch (error) {
      return { kind: 'failed', reason: `the response body could not be read as JSON: ${describeError(error)}` }
    }
    const result = definitionsFromApiResponse(body ?? {})
    return result.ok
      ? { kind: 'ok', data: result.data }
      : { kind: 'failed', reason: `invalid response: ${result.reason}` }
  } catch (error) {
    return { kind: 'failed', reason: `the response could not be handled: ${describeError(error)}` }
  }
}
