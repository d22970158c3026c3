// Parity with upstream 5.13.2 for remote flag evaluation (/flags): same requests, same answers, same events.
import { errorSummary, meaningful, runBoth, sentEvents, type Endpoints } from './parity-harness'

const flagsV2 = {
  flags: {
    'beta-feature': {
      key: 'beta-feature',
      enabled: true,
      variant: 'variant-a',
      reason: { code: 'condition_match', condition_index: 0, description: 'Matched condition set 1' },
      metadata: { id: 7, version: 3, payload: '{"color":"blue"}' },
    },
    'off-flag': {
      key: 'off-flag',
      enabled: false,
      reason: { code: 'no_condition_match', condition_index: null, description: 'No matching condition' },
      metadata: { id: 8, version: 1 },
    },
    'plain-on': { key: 'plain-on', enabled: true, metadata: { id: 9, version: 1, payload: 'not json' } },
  },
  errorsWhileComputingFlags: false,
  requestId: 'req-123',
}

const endpoints: Endpoints = { batch: { status: 200 }, flags: { status: 200, body: flagsV2 } }
const callOptions = {
  groups: { company: 'acme' },
  personProperties: { plan: 'pro' },
  groupProperties: { company: { size: 'big' }, unused: { dropped: 'yes' } },
}

describe('remote flag methods send the same /flags requests as upstream and answer the same', () => {
  test('getFeatureFlag: value, request body with augmented properties, $feature_flag_called event', async () => {
    const { ours, upstream } = await runBoth({}, endpoints, async (client) => [
      await client.getFeatureFlag('beta-feature', 'user-1', callOptions),
      await client.getFeatureFlag('off-flag', 'user-1'),
      await client.getFeatureFlag('missing', 'user-1', { disableGeoip: false }),
    ])
    expect(ours.result).toEqual(['variant-a', false, undefined])
    expect(ours.result).toEqual(upstream.result)
    expect(meaningful(ours.requests)).toEqual(meaningful(upstream.requests))
    expect(sentEvents(ours.requests).map((e) => e.event)).toEqual([
      '$feature_flag_called',
      '$feature_flag_called',
      '$feature_flag_called',
    ])
  })

  test('$feature_flag_called is sent once per distinct response and user', async () => {
    const { ours, upstream } = await runBoth({}, endpoints, async (client) => {
      for (let i = 0; i < 3; i++) await client.getFeatureFlag('beta-feature', 'same-user')
      await client.getFeatureFlag('beta-feature', 'other-user')
      await client.isFeatureEnabled('beta-feature', 'same-user')
      return client.distinctIdHasSentFlagCalls
    })
    expect(sentEvents(ours.requests)).toHaveLength(2)
    expect(meaningful(ours.requests)).toEqual(meaningful(upstream.requests))
    expect(ours.result).toEqual(upstream.result)
  })

  test('sendFeatureFlagEvents false (per call and client-wide) sends no event', async () => {
    for (const [options, call] of [
      [{}, { sendFeatureFlagEvents: false }],
      [{ sendFeatureFlagEvent: false }, {}],
    ] as const) {
      const { ours, upstream } = await runBoth(options, endpoints, async (client) =>
        client.getFeatureFlag('beta-feature', 'u', call)
      )
      expect(sentEvents(ours.requests)).toHaveLength(0)
      expect(meaningful(ours.requests)).toEqual(meaningful(upstream.requests))
    }
  })

  test('isFeatureEnabled', async () => {
    const { ours, upstream } = await runBoth({}, endpoints, async (client) => [
      await client.isFeatureEnabled('beta-feature', 'u'),
      await client.isFeatureEnabled('off-flag', 'u'),
      await client.isFeatureEnabled('missing', 'u'),
    ])
    expect(ours.result).toEqual([true, false, undefined])
    expect(meaningful(ours.requests)).toEqual(meaningful(upstream.requests))
  })

  test('getFeatureFlagPayload: parsed JSON, raw strings, null when absent', async () => {
    const { ours, upstream } = await runBoth({}, endpoints, async (client) => [
      await client.getFeatureFlagPayload('beta-feature', 'u', undefined, callOptions),
      await client.getFeatureFlagPayload('plain-on', 'u', true),
      await client.getFeatureFlagPayload('off-flag', 'u'),
    ])
    expect(ours.result).toEqual([{ color: 'blue' }, 'not json', null])
    expect(ours.result).toEqual(upstream.result)
    expect(meaningful(ours.requests)).toEqual(meaningful(upstream.requests))
    expect(sentEvents(ours.requests)).toHaveLength(0)
  })

  test('getAllFlags and getAllFlagsAndPayloads, with and without flagKeys', async () => {
    const { ours, upstream } = await runBoth({ evaluationEnvironments: ['production'] }, endpoints, async (client) => [
      await client.getAllFlags('u', callOptions),
      await client.getAllFlagsAndPayloads('u', { flagKeys: ['beta-feature', 'plain-on'], disableGeoip: false }),
    ])
    expect(ours.result).toEqual(upstream.result)
    expect(meaningful(ours.requests)).toEqual(meaningful(upstream.requests))
    expect(ours.requests[0].body).toMatchObject({ evaluation_environments: ['production'] })
  })

  test('onlyEvaluateLocally without local evaluation answers nothing and sends no request for flags', async () => {
    const { ours, upstream } = await runBoth({}, endpoints, async (client) => [
      await client.getFeatureFlag('beta-feature', 'u', { onlyEvaluateLocally: true }),
      await client.getFeatureFlagPayload('beta-feature', 'u', undefined, { onlyEvaluateLocally: true }),
      await client.getAllFlags('u', { onlyEvaluateLocally: true }),
    ])
    expect(ours.result).toEqual([undefined, undefined, {}])
    expect(ours.result).toEqual(upstream.result)
    // The undefined response is still reported, with locally_evaluated: false.
    expect(meaningful(ours.requests)).toEqual(meaningful(upstream.requests))
    expect(ours.requests.filter((r) => r.path.startsWith('/flags'))).toHaveLength(0)
  })

  test('v1 /flags responses are understood the same way', async () => {
    const v1 = {
      featureFlags: { 'beta-feature': 'variant-b', 'off-flag': false },
      featureFlagPayloads: { 'beta-feature': '{"v":1}' },
    }
    const { ours, upstream } = await runBoth(
      {},
      { batch: { status: 200 }, flags: { status: 200, body: v1 } },
      async (client) => [
        await client.getFeatureFlag('beta-feature', 'u'),
        await client.getFeatureFlagPayload('beta-feature', 'u'),
        await client.getAllFlagsAndPayloads('u'),
      ]
    )
    expect(ours.result).toEqual(upstream.result)
    expect(meaningful(ours.requests)).toEqual(meaningful(upstream.requests))
  })

  test('capture with sendFeatureFlags asks /flags (without person augmentation) and attaches the values', async () => {
    const { ours, upstream } = await runBoth({}, endpoints, async (client) => {
      client.capture({ distinctId: 'u', event: 'with flags', sendFeatureFlags: true, groups: { company: 'acme' } })
      client.capture({
        distinctId: 'u',
        event: 'with options',
        sendFeatureFlags: { personProperties: { plan: 'pro' }, groupProperties: { company: { size: 1 } } },
      })
      client.capture({ distinctId: 'u', event: 'local only', sendFeatureFlags: { onlyEvaluateLocally: true } })
    })
    expect(meaningful(ours.requests)).toEqual(meaningful(upstream.requests))
    const withFlags = sentEvents(ours.requests).find((e) => e.event === 'with flags')!
    expect(withFlags.properties).toMatchObject({
      '$feature/beta-feature': 'variant-a',
      '$feature/off-flag': false,
      $active_feature_flags: ['beta-feature', 'plain-on'],
    })
  })
})

describe('remote flag failures behave as upstream: no value, no event, one error each', () => {
  const failures: [string, Endpoints['flags']][] = [
    ['HTTP 400 with a JSON error', { status: 400, body: { type: 'validation_error', detail: 'bad' } }],
    ['HTTP 500', { status: 500, body: 'oops' }],
    ['a network error', { networkError: true }],
    ['a timeout', { status: 200, body: flagsV2, delayMs: 300 }],
    ['invalid JSON', { status: 200, body: '{not json' }],
  ]
  test.each(failures)('%s', async (_name, flags) => {
    const { ours, upstream } = await runBoth(
      // A short timeout only where the timeout is the point: under load a slow mock must not look like a failure.
      { featureFlagsRequestTimeoutMs: flags && 'delayMs' in flags ? 100 : 5000 },
      { batch: { status: 200 }, flags },
      async (client) => [
        await client.getFeatureFlag('beta-feature', 'u'),
        await client.isFeatureEnabled('beta-feature', 'u'),
        await client.getFeatureFlagPayload('beta-feature', 'u'),
        await client.getAllFlagsAndPayloads('u'),
      ]
    )
    expect(ours.result).toEqual([undefined, undefined, undefined, { featureFlags: {}, featureFlagPayloads: {} }])
    expect(ours.result).toEqual(upstream.result)
    expect(meaningful(ours.requests)).toEqual(meaningful(upstream.requests))
    expect(sentEvents(ours.requests)).toHaveLength(0)
    expect(ours.errors).toHaveLength(upstream.errors.length)
    expect(errorSummary(ours.errors).map((e) => e.split(':')[0])).toEqual(
      errorSummary(upstream.errors).map((e) => e.split(':')[0])
    )
  })

  test('quota-limited answers count as no flags', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      const { ours, upstream } = await runBoth(
        {},
        { batch: { status: 200 }, flags: { status: 200, body: { ...flagsV2, quotaLimited: ['feature_flags'] } } },
        async (client) => [await client.getFeatureFlag('beta-feature', 'u'), await client.getAllFlags('u')]
      )
      expect(ours.result).toEqual(upstream.result)
      expect(meaningful(ours.requests)).toEqual(meaningful(upstream.requests))
    } finally {
      warn.mockRestore()
    }
  })
})
