// Operators and flag options that upstream 5.13.2 sent to the server and PostHog now evaluates locally: text
// prefixes and suffixes, versions, condition-level group targeting, early exit and device bucketing.
import { condition, definitions, evaluate, flag, matches, person } from './helpers'

describe('starts_with, ends_with and their negations', () => {
  test('compare case-insensitively on the texts of both sides', () => {
    expect(matches(person('email', 'starts_with', 'MAX@'), { email: 'max@posthog.com' })).toBe(true)
    expect(matches(person('email', 'ends_with', '.COM'), { email: 'max@posthog.com' })).toBe(true)
    expect(matches(person('email', 'ends_with', '.org'), { email: 'max@posthog.com' })).toBe(false)
    expect(matches(person('email', 'not_starts_with', 'max'), { email: 'max@posthog.com' })).toBe(false)
    expect(matches(person('email', 'not_ends_with', '.org'), { email: 'max@posthog.com' })).toBe(true)
    expect(matches(person('n', 'starts_with', 12), { n: 123 })).toBe(true)
  })
})

describe('semver operators', () => {
  const version = (operator: string, target: string, value: string): unknown =>
    matches(person('app_version', operator, target), { app_version: value })

  test('compare major, minor and patch numerically, ignoring a v prefix and pre-release or build suffixes', () => {
    expect(version('semver_gt', '1.2.3', '1.10.0')).toBe(true)
    expect(version('semver_eq', '1.2.0', 'v1.2')).toBe(true)
    expect(version('semver_eq', '1.2.3', '1.2.3-beta+build.5')).toBe(true)
    expect(version('semver_neq', '1.2.3', '1.2.4')).toBe(true)
    expect(version('semver_lte', '2.0.0', '2.0.0')).toBe(true)
    expect(version('semver_lt', '2.0.0', '2.0.0')).toBe(false)
  })

  test('tilde, caret and wildcard ranges', () => {
    expect(version('semver_tilde', '1.2.3', '1.2.9')).toBe(true)
    expect(version('semver_tilde', '1.2.3', '1.3.0')).toBe(false)
    expect(version('semver_caret', '1.2.3', '1.9.0')).toBe(true)
    expect(version('semver_caret', '0.2.3', '0.3.0')).toBe(false)
    expect(version('semver_caret', '0.0.3', '0.0.4')).toBe(false)
    expect(version('semver_wildcard', '1.2.*', '1.2.7')).toBe(true)
    expect(version('semver_wildcard', '1.*', '2.0.0')).toBe(false)
  })

  test('a part with a leading zero is not a version, on either side: inconclusive', () => {
    expect(version('semver_eq', '1.2.3', '01.2.3')).toBe('inconclusive')
    expect(version('semver_gt', '1.02.0', '1.3.0')).toBe('inconclusive')
    expect(version('semver_wildcard', '01.*', '1.0.0')).toBe('inconclusive')
  })

  test('text that is not a version is inconclusive', () => {
    expect(version('semver_gt', '1.2.3', 'latest')).toBe('inconclusive')
    expect(version('semver_gt', 'x.y', '1.0.0')).toBe('inconclusive')
  })
})

describe('condition-level group targeting', () => {
  const mixed = definitions(
    [
      flag('mixed', {
        groups: [
          { properties: [person('tier', 'exact', 'gold')], rollout_percentage: 100, aggregation_group_type_index: 0 },
          condition([person('plan', 'exact', 'pro')], 100),
        ],
      }),
    ],
    {},
    { '0': 'company' }
  )

  test('a condition with its own group type reads the properties of that group', () => {
    expect(
      evaluate(mixed, 'mixed', { groups: { company: 'acme' }, groupProperties: { company: { tier: 'gold' } } })
    ).toBe(true)
  })

  test('a group condition is skipped when the group is not passed; person conditions still decide', () => {
    expect(evaluate(mixed, 'mixed', { person: { plan: 'pro' } })).toBe(true)
    expect(evaluate(mixed, 'mixed', { person: { plan: 'free' } })).toBe(false)
  })
})

describe('early_exit', () => {
  test('a condition whose properties match but whose rollout excludes the id ends the flag with false', () => {
    const groups = [condition([], 0), condition([], 100)]
    const ids = ['a', 'b', 'c', 'd']
    expect(ids.map((distinctId) => evaluate(definitions([flag('f', { groups })]), 'f', { distinctId }))).toEqual(
      ids.map(() => true)
    )
    const early = definitions([flag('f', { groups, early_exit: true })])
    expect(ids.map((distinctId) => evaluate(early, 'f', { distinctId }))).toEqual(ids.map(() => false))
  })

  test('a condition whose properties do not match does not end the flag', () => {
    const groups = [condition([person('plan', 'exact', 'pro')], 0), condition([], 100)]
    expect(evaluate(definitions([flag('f', { groups, early_exit: true })]), 'f', { person: { plan: 'free' } })).toBe(
      true
    )
  })
})

describe('bucketing_identifier', () => {
  const byDevice = definitions([flag('f', { groups: [condition([], 50)] }, { bucketing_identifier: 'device_id' })])
  const byId = definitions([flag('f', { groups: [condition([], 50)] })])

  test('device_id buckets by the $device_id person property instead of the distinct id', () => {
    const devices = Array.from({ length: 40 }, (_, i) => `device-${i}`)
    const answers = devices.map((device) =>
      evaluate(byDevice, 'f', { distinctId: 'same', person: { $device_id: device } })
    )
    expect(new Set(answers)).toEqual(new Set([true, false]))
    expect(answers).toEqual(devices.map((device) => evaluate(byId, 'f', { distinctId: device })))
  })

  test('without a $device_id the flag is inconclusive', () => {
    expect(evaluate(byDevice, 'f', { person: {} })).toBe('inconclusive')
    expect(evaluate(byDevice, 'f', { person: { $device_id: '' } })).toBe('inconclusive')
  })
})
