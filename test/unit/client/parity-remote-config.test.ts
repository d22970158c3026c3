// Parity with upstream 5.13.2 for getRemoteConfigPayload (local evaluation off so only this endpoint is involved).
import { errorSummary, meaningful, runBoth, type Endpoints } from './parity-harness'

const withKey = { personalApiKey: 'phx_personal', enableLocalEvaluation: false }

describe('getRemoteConfigPayload behaves as upstream', () => {
  test('without a personal API key it rejects with the documented message and sends nothing', async () => {
    const { ours, upstream } = await runBoth({}, { remoteConfig: { status: 200 } }, async (client) =>
      client.getRemoteConfigPayload('flag')
    )
    expect(ours.result).toEqual({ threw: 'Personal API key is required for remote config payload decryption' })
    expect(ours.result).toEqual(upstream.result)
    expect(ours.requests).toEqual([])
  })

  const answers: [string, Endpoints['remoteConfig']][] = [
    ['a double-encoded JSON payload', { status: 200, body: JSON.stringify(JSON.stringify({ theme: 'dark' })) }],
    ['a plain JSON payload', { status: 200, body: { theme: 'light' } }],
    ['a string that is not JSON', { status: 200, body: JSON.stringify('just text') }],
    ['an error body on 404 (status is not checked)', { status: 404, body: { detail: 'Not found.' } }],
  ]
  test.each(answers)('%s', async (_name, remoteConfig) => {
    const { ours, upstream } = await runBoth(withKey, { remoteConfig }, async (client) =>
      client.getRemoteConfigPayload('my flag/key')
    )
    expect(ours.result).toEqual(upstream.result)
    expect(meaningful(ours.requests)).toEqual(meaningful(upstream.requests))
    expect(ours.requests[0].path).toBe(
      '/api/projects/@current/feature_flags/my%20flag/key/remote_config?token=TEST_API_KEY'
    )
    expect(ours.requests[0].headers).toMatchObject({
      authorization: 'Bearer phx_personal',
      'content-type': 'application/json',
      'user-agent': 'posthog-node/5.13.2',
    })
  })

  test('a network error resolves undefined and emits one error', async () => {
    const { ours, upstream } = await runBoth(withKey, { remoteConfig: { networkError: true } }, async (client) =>
      client.getRemoteConfigPayload('flag')
    )
    expect(ours.result).toBeUndefined()
    expect(upstream.result).toBeUndefined()
    expect(ours.errors).toHaveLength(1)
    expect(errorSummary(ours.errors).length).toBe(errorSummary(upstream.errors).length)
  })

  test('requestTimeout aborts a slow request', async () => {
    const { ours, upstream } = await runBoth(
      { ...withKey, requestTimeout: 50 },
      { remoteConfig: { status: 200, body: { late: true }, delayMs: 300 } },
      async (client) => client.getRemoteConfigPayload('flag')
    )
    expect(ours.result).toBeUndefined()
    expect(ours.result).toEqual(upstream.result)
    expect(ours.errors).toHaveLength(upstream.errors.length)
  })
})
