// Parity with upstream 5.13.2 when flags are evaluated locally: same answers, same fallbacks to /flags, same events.
import { apiDefinitions, flagDefinition } from '../../helpers/definitions'
import { callsAndEvents, errorSummary, runBoth, sentEvents, type Endpoints } from './parity-harness'

// Distinct ids, so that events naming a flag's id tell the flags apart.
const flag = (key: string, filters: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  flagDefinition(key, filters, { id: key.length, ...extra })

const definitions = apiDefinitions(
  [
    flag('simple', { groups: [{ properties: [], rollout_percentage: 100 }] }),
    flag('half', { groups: [{ properties: [], rollout_percentage: 50 }] }),
    flag('by-email', {
      groups: [{ properties: [{ key: 'email', type: 'person', value: 'a@example.com', operator: 'exact' }] }],
      payloads: { true: '{"welcome":"back"}' },
    }),
    flag('variants', {
      groups: [{ properties: [], rollout_percentage: 100 }],
      multivariate: {
        variants: [
          { key: 'control', rollout_percentage: 50 },
          { key: 'test', rollout_percentage: 50 },
        ],
      },
      payloads: { control: '{"c":1}', test: '"plain"' },
    }),
    flag('company-flag', {
      aggregation_group_type_index: 0,
      groups: [{ properties: [{ key: 'size', type: 'group', group_type_index: 0, value: 10, operator: 'gt' }] }],
    }),
    flag(
      'continuity',
      { groups: [{ properties: [], rollout_percentage: 100 }] },
      { ensure_experience_continuity: true }
    ),
    flag('inactive', { groups: [{ properties: [], rollout_percentage: 100 }] }, { active: false }),
  ],
  { groupTypeMapping: { '0': 'company' } }
)

const remoteFlags = {
  flags: {
    'by-email': { key: 'by-email', enabled: true, metadata: { id: 3, version: 1, payload: '{"from":"server"}' } },
    continuity: { key: 'continuity', enabled: false, metadata: { id: 6, version: 1 } },
    'remote-only': { key: 'remote-only', enabled: true, variant: 'srv', metadata: { id: 99, version: 1 } },
  },
  requestId: 'req-local',
}

const endpoints: Endpoints = {
  batch: { status: 200 },
  flags: { status: 200, body: remoteFlags },
  definitions: { status: 200, body: definitions },
}
const local = { personalApiKey: 'phx_personal' }

describe('local evaluation answers as upstream and falls back to /flags in the same cases', () => {
  test('definitions are requested the same way', async () => {
    const { ours, upstream } = await runBoth(local, endpoints, async (client) =>
      client.waitForLocalEvaluationReady(2000)
    )
    expect(ours.result).toBe(true)
    expect(upstream.result).toBe(true)
    const definitionsRequest = (run: typeof ours) => run.requests.find((r) => r.path.startsWith('/api/feature_flag'))!
    expect(definitionsRequest(ours).path).toBe(definitionsRequest(upstream).path)
    expect(definitionsRequest(ours).headers.authorization).toBe('Bearer phx_personal')
  })

  test('getFeatureFlag for many users and inputs', async () => {
    const scenario = async (client: Parameters<Parameters<typeof runBoth>[2]>[0]) => {
      await client.waitForLocalEvaluationReady(2000)
      const answers: unknown[] = []
      for (const user of ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8']) {
        answers.push(await client.getFeatureFlag('simple', user))
        answers.push(await client.getFeatureFlag('half', user))
        answers.push(await client.getFeatureFlag('variants', user))
        answers.push(await client.getFeatureFlag('inactive', user))
      }
      answers.push(await client.getFeatureFlag('by-email', 'u1', { personProperties: { email: 'a@example.com' } }))
      answers.push(await client.getFeatureFlag('by-email', 'u1', { personProperties: { email: 'z@example.com' } }))
      // Missing property: inconclusive locally, so the server answers.
      answers.push(await client.getFeatureFlag('by-email', 'u9'))
      answers.push(await client.getFeatureFlag('continuity', 'u1'))
      answers.push(await client.getFeatureFlag('remote-only', 'u1'))
      answers.push(
        await client.getFeatureFlag('company-flag', 'u1', {
          groups: { company: 'acme' },
          groupProperties: { company: { size: '20' } },
        })
      )
      // Group flag without its group: false, locally.
      answers.push(await client.getFeatureFlag('company-flag', 'u1'))
      answers.push(await client.getFeatureFlag('by-email', 'u10', { onlyEvaluateLocally: true }))
      return answers
    }
    const { ours, upstream } = await runBoth(local, endpoints, scenario)
    expect(ours.result).toEqual(upstream.result)
    expect(callsAndEvents(ours.requests)).toEqual(callsAndEvents(upstream.requests))
    expect(errorSummary(ours.errors)).toEqual(errorSummary(upstream.errors))
    const called = sentEvents(ours.requests).filter((e) => e.event === '$feature_flag_called')
    expect(called.some((e) => (e.properties as Record<string, unknown>).locally_evaluated === true)).toBe(true)
  })

  test('getFeatureFlagPayload locally, with and without matchValue, and via the server', async () => {
    const { ours, upstream } = await runBoth(local, endpoints, async (client) => {
      await client.waitForLocalEvaluationReady(2000)
      return [
        await client.getFeatureFlagPayload('variants', 'u1'),
        await client.getFeatureFlagPayload('variants', 'u1', 'test'),
        await client.getFeatureFlagPayload('variants', 'u1', 'control'),
        await client.getFeatureFlagPayload('by-email', 'u1', true),
        await client.getFeatureFlagPayload('by-email', 'u1', undefined, {
          personProperties: { email: 'a@example.com' },
        }),
        await client.getFeatureFlagPayload('simple', 'u1'),
        await client.getFeatureFlagPayload('by-email', 'nobody'),
        await client.getFeatureFlagPayload('by-email', 'nobody', undefined, { onlyEvaluateLocally: true }),
      ]
    })
    expect(ours.result).toEqual(upstream.result)
    expect(callsAndEvents(ours.requests)).toEqual(callsAndEvents(upstream.requests))
  })

  test('getAllFlags and getAllFlagsAndPayloads: local values, one fallback request, remote wins', async () => {
    const { ours, upstream } = await runBoth(local, endpoints, async (client) => {
      await client.waitForLocalEvaluationReady(2000)
      return [
        await client.getAllFlagsAndPayloads('u1', { personProperties: { email: 'a@example.com' } }),
        await client.getAllFlags('u2'),
        await client.getAllFlags('u3', { onlyEvaluateLocally: true }),
        await client.getAllFlags('u4', { flagKeys: ['simple', 'variants'] }),
        // Only keys unknown locally: upstream answers {} without asking the server.
        await client.getAllFlags('u5', { flagKeys: ['remote-only'] }),
        await client.getAllFlags('u6', { groups: { company: 'acme' }, groupProperties: { company: { size: '30' } } }),
      ]
    })
    expect(ours.result).toEqual(upstream.result)
    expect(callsAndEvents(ours.requests)).toEqual(callsAndEvents(upstream.requests))
  })

  test('capture with sendFeatureFlags uses local values only once definitions are loaded', async () => {
    const { ours, upstream } = await runBoth(local, endpoints, async (client) => {
      await client.waitForLocalEvaluationReady(2000)
      client.capture({ distinctId: 'u1', event: 'local flags', sendFeatureFlags: true })
      client.capture({
        distinctId: 'u1',
        event: 'chosen flags',
        sendFeatureFlags: { flagKeys: ['variants'], personProperties: { email: 'a@example.com' } },
      })
    })
    expect(callsAndEvents(ours.requests)).toEqual(callsAndEvents(upstream.requests))
    expect(ours.requests.filter((r) => r.path.startsWith('/flags'))).toHaveLength(0)
  })

  test('readiness helpers and reload', async () => {
    const { ours, upstream } = await runBoth(local, endpoints, async (client) => {
      const before = client.isLocalEvaluationReady()
      const waited = await client.waitForLocalEvaluationReady(2000)
      await client.reloadFeatureFlags()
      return [before, waited, client.isLocalEvaluationReady()]
    })
    expect(ours.result).toEqual([false, true, true])
    expect(ours.result).toEqual(upstream.result)
    expect(callsAndEvents(ours.requests)).toEqual(callsAndEvents(upstream.requests))
  })

  test('an empty definition set is loaded but not ready; evaluations go remote', async () => {
    const { ours, upstream } = await runBoth(
      local,
      { ...endpoints, definitions: { status: 200, body: { flags: [], group_type_mapping: {}, cohorts: {} } } },
      async (client) => {
        const waited = await client.waitForLocalEvaluationReady(2000)
        return [waited, client.isLocalEvaluationReady(), await client.getFeatureFlag('remote-only', 'u')]
      }
    )
    expect(ours.result).toEqual([false, false, 'srv'])
    expect(ours.result).toEqual(upstream.result)
  })

  test('capture with sendFeatureFlags right after construction goes remote (definitions not loaded yet)', async () => {
    const { ours, upstream } = await runBoth(local, endpoints, async (client) => {
      client.capture({ distinctId: 'u1', event: 'early', sendFeatureFlags: true })
      client.capture({ distinctId: 'u1', event: 'early local', sendFeatureFlags: { onlyEvaluateLocally: true } })
    })
    expect(callsAndEvents(ours.requests)).toEqual(callsAndEvents(upstream.requests))
    expect(ours.requests.filter((r) => r.path.startsWith('/flags'))).toHaveLength(1)
  })

  test('when definitions cannot be loaded, evaluations are answered by the server', async () => {
    const { ours, upstream } = await runBoth(
      local,
      { ...endpoints, definitions: { status: 401, body: { detail: 'bad key' } } },
      async (client) => [
        await client.getFeatureFlag('by-email', 'u1'),
        await client.getAllFlags('u1'),
        client.isLocalEvaluationReady(),
      ]
    )
    expect(ours.result).toEqual([true, { 'by-email': true, continuity: false, 'remote-only': 'srv' }, false])
    expect(ours.result).toEqual(upstream.result)
    // Definitions requests are not compared: until a load succeeds, upstream sends one with every evaluation; this
    // package backs off.
    const flagsCalls = (run: typeof ours) => run.requests.filter((r) => r.path.startsWith('/flags')).length
    expect(flagsCalls(ours)).toBe(flagsCalls(upstream))
  })
})
