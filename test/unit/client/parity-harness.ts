// Runs the same calls against our client and upstream 5.13.2 with nock standing in for the PostHog API, and
// records what each sent, so tests can assert both send the same requests.
import nock from 'nock'
import { PostHog as Ours } from '../../../src/entrypoints/index.node'
import type { PostHogOptions } from '../../../src/entrypoints/index.node'

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { PostHog: Upstream } = require('posthog-node-upstream')

export const API_KEY = 'TEST_API_KEY'

/** How a mocked endpoint answers. */
export type Reply = { status: number; body?: unknown; delayMs?: number } | { networkError: true }

export interface Endpoints {
  batch?: Reply
  flags?: Reply
  remoteConfig?: Reply
  definitions?: Reply
}

export interface RecordedRequest {
  method: string
  /** Path and query, host removed. */
  path: string
  body: unknown
  headers: Record<string, string | string[] | undefined>
}

export interface Run<T> {
  requests: RecordedRequest[]
  result: T | { threw: string }
  errors: unknown[]
}

/** A client of either implementation; typed as ours (upstream's API is the same). */
export type AnyClient = Ours

const ENDPOINTS: Record<keyof Endpoints, { method: 'GET' | 'POST'; path: RegExp }> = {
  batch: { method: 'POST', path: /^\/batch\/$/ },
  flags: { method: 'POST', path: /^\/flags\/\?v=2&config=true$/ },
  remoteConfig: { method: 'GET', path: /^\/api\/projects\/@current\/feature_flags\/.*\/remote_config/ },
  definitions: { method: 'GET', path: /^\/api\/feature_flag\/local_evaluation/ },
}

let hostCounter = 0

function mockHost(host: string, endpoints: Endpoints, requests: RecordedRequest[]): void {
  for (const [name, reply] of Object.entries(endpoints) as [keyof Endpoints, Reply | undefined][]) {
    if (!reply) continue
    const { method, path } = ENDPOINTS[name]
    const scope = nock(host).persist()
    const record = (uri: string, body: unknown, headers: Record<string, string | string[] | undefined>): void => {
      requests.push({ method, path: uri, body: parseBody(body), headers })
    }
    const interceptor = method === 'POST' ? scope.post((uri) => path.test(uri)) : scope.get((uri) => path.test(uri))
    if ('networkError' in reply) {
      // replyWithError has no callback: record through the request event instead.
      scope.on(
        'request',
        (req: { path: string; headers: Record<string, string> }, _interceptor: unknown, body: string) => {
          if (path.test(req.path)) record(req.path, body, req.headers)
        }
      )
      interceptor.replyWithError('simulated network failure')
    } else {
      const withDelay = reply.delayMs ? interceptor.delay(reply.delayMs) : interceptor
      withDelay.reply(function (uri, body) {
        record(uri, body, this.req.headers)
        return [reply.status, reply.body === undefined ? {} : (reply.body as nock.Body)]
      })
    }
  }
}

function parseBody(body: unknown): unknown {
  if (typeof body !== 'string' || body === '') return body
  try {
    return JSON.parse(body)
  } catch {
    return body
  }
}

/**
 * Builds a client of one implementation on its own host, runs `scenario`, then shuts the client down (unless the
 * scenario did) and returns what was sent.
 */
export async function runOne<T>(
  implementation: 'ours' | 'upstream',
  options: PostHogOptions,
  endpoints: Endpoints,
  scenario: (client: AnyClient) => Promise<T>,
  { shutdown = true }: { shutdown?: boolean } = {}
): Promise<Run<T>> {
  const host = `http://${implementation}-${++hostCounter}.posthog.test`
  const requests: RecordedRequest[] = []
  mockHost(host, endpoints, requests)
  const Client = implementation === 'ours' ? Ours : Upstream
  const client: AnyClient = new Client(API_KEY, {
    fetchRetryCount: 0,
    fetchRetryDelay: 1,
    disableCompression: true,
    flushInterval: 0,
    ...options,
    host,
  })
  const errors: unknown[] = []
  client.on('error', (error: unknown) => errors.push(error))
  let result: T | { threw: string }
  try {
    result = await scenario(client)
  } catch (error) {
    result = { threw: error instanceof Error ? error.message : String(error) }
  }
  if (shutdown) {
    await client.shutdown(2000).catch(() => undefined)
  }
  return { requests, result, errors }
}

/** Runs the scenario on both implementations. */
export async function runBoth<T>(
  options: PostHogOptions,
  endpoints: Endpoints,
  scenario: (client: AnyClient) => Promise<T>,
  settings?: { shutdown?: boolean }
): Promise<{ ours: Run<T>; upstream: Run<T> }> {
  const ours = await runOne('ours', options, endpoints, scenario, settings)
  const upstream = await runOne('upstream', options, endpoints, scenario, settings)
  return { ours, upstream }
}

const VOLATILE = new Set(['uuid', 'timestamp', 'sent_at'])

/** What must match between implementations: method, path and the body without ids and clocks. */
export function meaningful(requests: RecordedRequest[]): { method: string; path: string; body: unknown }[] {
  return requests.map(({ method, path, body }) => ({ method, path, body: stripVolatile(body) }))
}

function stripVolatile(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripVolatile)
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, inner] of Object.entries(value)) {
      if (!VOLATILE.has(key)) out[key] = stripVolatile(inner)
    }
    return out
  }
  return value
}

/** Error events reduced to what users see: their class and message. */
export function errorSummary(errors: unknown[]): string[] {
  return errors.map((error) =>
    error instanceof Error ? `${error.name}: ${error.message}` : `non-error: ${JSON.stringify(error)}`
  )
}

/** The events of every /batch/ request, in order. */
export function sentEvents(requests: RecordedRequest[]): Record<string, unknown>[] {
  return requests
    .filter((request) => request.path === '/batch/')
    .flatMap((request) => (request.body as { batch: Record<string, unknown>[] }).batch)
}

/**
 * For scenarios whose batching depends on timing (local evaluation is async upstream): the non-batch requests in
 * order, and the sent events as a sorted multiset.
 */
export function callsAndEvents(requests: RecordedRequest[]): { calls: unknown[]; events: string[] } {
  return {
    calls: meaningful(requests.filter((request) => request.path !== '/batch/')),
    events: sentEvents(requests)
      .map((event) => JSON.stringify(canonical(stripVolatile(event))))
      .sort(),
  }
}

/** Object keys sorted, so property order (which follows evaluation completion order upstream) does not matter. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical)
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])])
    )
  }
  return value
}
