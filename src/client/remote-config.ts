import type { JsonType, PostHogFetchOptions, PostHogFetchResponse } from '@posthog/core'
import { unrefTimeout, type TimerHandle } from '../shared/async'

export const REMOTE_CONFIG_NEEDS_PERSONAL_KEY = 'Personal API key is required for remote config payload decryption'

export interface RemoteConfigRequest {
  host: string
  projectApiKey: string
  personalApiKey: string
  flagKey: string
  headers: Record<string, string>
  /** Applied only when the caller configured `requestTimeout` (upstream has no default here). */
  requestTimeoutMs: number | undefined
  fetch: (url: string, options: PostHogFetchOptions) => Promise<PostHogFetchResponse>
}

/** GET the flag's remote config; resolves undefined (after `onError`) when the request itself fails. */
export async function requestRemoteConfig(
  request: RemoteConfigRequest,
  onError: (error: unknown) => void
): Promise<PostHogFetchResponse | undefined> {
  const url =
    `${request.host}/api/projects/@current/feature_flags/${request.flagKey}/remote_config` +
    `?token=${encodeURIComponent(request.projectApiKey)}`
  const options: PostHogFetchOptions = {
    method: 'GET',
    headers: {
      ...request.headers,
      'Content-Type': 'application/json',
      Authorization: `Bearer ${request.personalApiKey}`,
    },
  }
  let timer: TimerHandle | undefined
  if (typeof request.requestTimeoutMs === 'number' && request.requestTimeoutMs) {
    const controller = new AbortController()
    // Unref'd: the request's own socket holds the process while the caller waits for it.
    timer = unrefTimeout(() => controller.abort(), request.requestTimeoutMs)
    options.signal = controller.signal
  }
  try {
    return await request.fetch(url, options)
  } catch (error) {
    onError(error)
    return undefined
  } finally {
    if (timer) {
      clearTimeout(timer)
    }
  }
}

/** The endpoint double-encodes: a JSON string body holds the JSON payload (kept as is when it is not JSON). */
export async function remoteConfigPayloadFrom(response: PostHogFetchResponse): Promise<JsonType | undefined> {
  const parsed: JsonType | undefined = await response.json()
  if (typeof parsed === 'string') {
    try {
      return JSON.parse(parsed) as JsonType
    } catch {
      return parsed
    }
  }
  return parsed
}
