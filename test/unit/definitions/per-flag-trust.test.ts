// One malformed part of a definition set costs only the flags that use it: every other flag still evaluates
// locally, whether the set came from the API or from a cache provider.
import nock from 'nock'
import type { FlagDefinitionCacheData, FlagDefinitionCacheProvider } from '../../../src/contracts/provider'
import { CLIENT_HOST, client, mockApi, shutdownAll, startedUp } from '../polling/client-helpers'

type Json = Record<string, unknown>

const flag = (key: string, filters: unknown, extra: Json = {}): Json => ({
  id: 1,
  name: key,
  key,
  active: true,
  deleted: false,
  ensure_experience_continuity: false,
  filters,
  ...extra,
})
const everyone = { groups: [{ properties: [], rollout_percentage: 100 }] }
const pro = { key: 'plan', type: 'person', operator: 'exact', value: 'pro' }

/** The flags that must keep answering locally, whatever else the set holds. */
const healthy = [
  flag('on', everyone),
  flag('off', everyone, { active: false }),
  flag('pro-only', { groups: [{ properties: [pro], rollout_percentage: 100 }] }),
  flag('in-cohort', { groups: [{ properties: [{ key: 'id', type: 'cohort', value: 1 }] }] }),
]
const goodCohorts = { '1': { type: 'AND', values: [pro] } }
const expected = { on: true, off: false, 'pro-only': true, 'in-cohort': true }

const malformations: [string, unknown[], Json][] = [
  ['a property without a key', [flag('odd', { groups: [{ properties: [{ value: 'x', operator: 'exact' }] }] })], {}],
  ['a property that is null', [flag('odd', { groups: [{ properties: [null] }] })], {}],
  ['a condition that is not an object', [flag('odd', { groups: [null] })], {}],
  ['an unknown operator', [flag('odd', { groups: [{ properties: [{ ...pro, operator: 'within_radius' }] }] })], {}],
  [
    'a variant without a key',
    [flag('odd', { ...everyone, multivariate: { variants: [{ rollout_percentage: 100 }] } })],
    {},
  ],
  ['a variant that is null', [flag('odd', { ...everyone, multivariate: { variants: [null] } })], {}],
  [
    'a cohort referencing a missing cohort',
    [flag('odd', { groups: [{ properties: [{ key: 'id', type: 'cohort', value: 2 }] }] })],
    { '2': { type: 'AND', values: [{ key: 'id', type: 'cohort', value: 99 }] } },
  ],
  [
    'a cohort that is not a property group',
    [flag('odd', { groups: [{ properties: [{ key: 'id', type: 'cohort', value: 3 }] }] })],
    { '3': { type: 'AND', values: 'garbage' } },
  ],
  ['a flag without filters', [{ id: 9, key: 'odd', active: true }], {}],
  ['filters that are not an object', [flag('odd', 'garbage')], {}],
  ['a flag entry that is not an object', [null, 42], {}],
  ['a flag without a key', [{ id: 9, active: true, filters: everyone }], {}],
]

const who = { personProperties: { plan: 'pro' }, onlyEvaluateLocally: true }

async function assertOthersEvaluateLocally(posthog: ReturnType<typeof client>['client']): Promise<void> {
  for (const [key, value] of Object.entries(expected)) {
    expect(await posthog.getFeatureFlag(key, 'user', { ...who, sendFeatureFlagEvents: false })).toBe(value)
  }
  const all = await posthog.getAllFlags('user', who)
  expect(all).toMatchObject(expected)
  // The odd flag answers without throwing (a value, or undefined when it cannot be decided locally).
  await expect(posthog.getFeatureFlag('odd', 'user', who)).resolves.not.toBe('thrown')
}

afterEach(async () => {
  await shutdownAll()
})

describe.each(malformations)('%s', (_name, oddFlags, extraCohorts) => {
  const flags = [...healthy, ...oddFlags]
  const cohorts = { ...goodCohorts, ...extraCohorts }

  test('in an API response leaves every other flag evaluating locally, without remote calls', async () => {
    mockApi(200, { flags, group_type_mapping: {}, cohorts })
    const remote = nock(CLIENT_HOST)
      .post(/\/flags/)
      .reply(200, { flags: {} })
    const { client: posthog } = client({ featureFlagsPollingInterval: 600000 })
    await startedUp(posthog)
    await assertOthersEvaluateLocally(posthog)
    expect(remote.isDone()).toBe(false)
  })

  test('in a cached entry leaves every other flag evaluating locally, without any API call', async () => {
    const api = mockApi(500)
    const data = { flags, groupTypeMapping: {}, cohorts } as unknown as FlagDefinitionCacheData
    const provider: FlagDefinitionCacheProvider = {
      getFlagDefinitions: () => JSON.parse(JSON.stringify(data)) as FlagDefinitionCacheData,
      shouldFetchFlagDefinitions: () => false,
      onFlagDefinitionsReceived: () => undefined,
      shutdown: () => undefined,
    }
    const { client: posthog } = client({ featureFlagsPollingInterval: 600000, flagDefinitionCacheProvider: provider })
    await startedUp(posthog)
    await assertOthersEvaluateLocally(posthog)
    expect(api.calls()).toBe(0)
  })
})

test('the provider receives the flags exactly as the API sent them (no filters added)', async () => {
  const bare = { id: 9, key: 'bare', active: true }
  mockApi(200, { flags: [bare], group_type_mapping: {}, cohorts: {} })
  const received: FlagDefinitionCacheData[] = []
  const provider: FlagDefinitionCacheProvider = {
    getFlagDefinitions: () => undefined,
    shouldFetchFlagDefinitions: () => true,
    onFlagDefinitionsReceived: (data) => {
      received.push(data)
    },
    shutdown: () => undefined,
  }
  const { client: posthog } = client({ featureFlagsPollingInterval: 600000, flagDefinitionCacheProvider: provider })
  await startedUp(posthog)
  expect(received).toHaveLength(1)
  expect(received[0].flags).toEqual([bare])
  expect(await posthog.getFeatureFlag('bare', 'user', { onlyEvaluateLocally: true })).toBe(false)
})
