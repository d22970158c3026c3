import nock from 'nock'
import { definitionsUrl, requestDefinitions, type DefinitionsRequest } from '../../../src/polling/definitions-request'
import { HOST, PERSONAL_KEY, PROJECT_KEY, apiBody, cacheData, mockDefinitions } from './helpers'

const request = (overrides: Partial<DefinitionsRequest> = {}) =>
  requestDefinitions({
    host: HOST,
    projectApiKey: PROJECT_KEY,
    personalApiKey: PERSONAL_KEY,
    customHeaders: { 'User-Agent': 'posthog-node/test' },
    timeoutMs: 1000,
    fetch: globalThis.fetch as never,
    ...overrides,
  })

afterEach(() => nock.cleanAll())

describe('the definitions request', () => {
  it('GETs local_evaluation with the URL-encoded project key and send_cohorts', () => {
    expect(definitionsUrl('https://eu.i.posthog.com', 'phc a&b')).toBe(
      'https://eu.i.posthog.com/api/feature_flag/local_evaluation?token=phc%20a%26b&send_cohorts'
    )
  })

  it('sends the custom headers, JSON content type and the personal key as a bearer token', async () => {
    let headers: Record<string, unknown> = {}
    nock(HOST)
      .get(`/api/feature_flag/local_evaluation?token=${PROJECT_KEY}&send_cohorts`)
      .reply(function () {
        headers = this.req.headers
        return [200, apiBody()]
      })
    await request()
    expect(headers['user-agent']).toBe('posthog-node/test')
    expect(headers['content-type']).toBe('application/json')
    expect(headers['authorization']).toBe(`Bearer ${PERSONAL_KEY}`)
  })

  it('calls fetch as a plain function, not as a method of anything', async () => {
    const receivers: unknown[] = []
    const fetch = function (this: unknown) {
      receivers.push(this)
      return Promise.resolve({ status: 200, json: async () => apiBody(), text: async () => '' })
    }
    await request({ fetch: fetch as never })
    expect(receivers).toEqual([undefined])
  })

  it('turns a 200 into camelCase definitions with defaults for a missing mapping and cohorts', async () => {
    mockDefinitions(200, { flags: apiBody().flags })
    expect(await request()).toEqual({ kind: 'ok', data: { ...cacheData(), groupTypeMapping: {} } })
  })

  it.each([401, 403, 429] as const)('reports %i as a refusal (the poller backs off)', async (status) => {
    mockDefinitions(status, {})
    expect(await request()).toEqual({ kind: 'refused', status })
  })

  it('reports 402 as quota-limited', async () => {
    mockDefinitions(402, {})
    expect(await request()).toEqual({ kind: 'quota-limited' })
  })

  it.each([
    [500, apiBody(), 'unexpected HTTP status 500'],
    [304, '', 'unexpected HTTP status 304'],
    [200, { nothing: true }, 'response body has no flags field'],
    [200, { flags: 'oops' }, 'flags is a string, expected an array'],
    [200, { flags: [], group_type_mapping: ['company'] }, 'groupTypeMapping is an array'],
  ])('reports status %i with body %j as failed, saying why', async (status, body, reason) => {
    mockDefinitions(status, body)
    const outcome = await request()
    expect(outcome.kind).toBe('failed')
    expect(outcome.kind === 'failed' && outcome.reason).toContain(reason)
  })

  it('reports a body that is not JSON as failed', async () => {
    nock(HOST)
      .get(/local_evaluation/)
      .reply(200, '{not json', { 'Content-Type': 'application/json' })
    const outcome = await request()
    expect(outcome.kind === 'failed' && outcome.reason).toContain('could not be read as JSON')
  })

  it('reports a network error as failed', async () => {
    nock(HOST)
      .get(/local_evaluation/)
      .replyWithError('connection reset')
    const outcome = await request()
    expect(outcome.kind === 'failed' && outcome.reason).toContain('connection reset')
  })

  it('gives up after the timeout when no response arrives, aborting the request', async () => {
    let signal: AbortSignal | undefined
    const fetch = (_url: string, options: { signal?: AbortSignal }) => {
      signal = options.signal
      return new Promise(() => undefined)
    }
    const outcome = await request({ fetch: fetch as never, timeoutMs: 50 })
    expect(outcome).toEqual({ kind: 'failed', reason: 'no complete response within 50ms (requestTimeout)' })
    expect(signal?.aborted).toBe(true)
  })

  it('keeps the timeout armed while the body is read', async () => {
    const fetch = () => Promise.resolve({ status: 200, json: () => new Promise(() => undefined), text: async () => '' })
    const outcome = await request({ fetch: fetch as never, timeoutMs: 50 })
    expect(outcome.kind === 'failed' && outcome.reason).toContain('no complete response within 50ms')
  })

  it('stops when the caller aborts', async () => {
    const controller = new AbortController()
    const fetch = (_url: string, options: { signal: AbortSignal }) =>
      new Promise((_, reject) => options.signal.addEventListener('abort', () => reject(new Error('aborted'))))
    const pending = request({ fetch: fetch as never, signal: controller.signal, timeoutMs: 10_000 })
    controller.abort()
    const outcome = await pending
    expect(outcome.kind === 'failed' && outcome.reason).toContain('aborted')
  })
})
