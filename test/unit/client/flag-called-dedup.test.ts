// $feature_flag_called de-duplication: one event per (user, flag, response), memory bounded by maxCacheSize.
import { FlagCalledDeduplicator } from '../../../src/client/flag-called-dedup'
import { testClient } from './test-client'

const flags = (variant: string | boolean) => ({
  flags: {
    f: { key: 'f', enabled: variant !== false, variant: typeof variant === 'string' ? variant : undefined },
  },
})

describe('FlagCalledDeduplicator', () => {
  test('reports a (user, flag, response) once', () => {
    const dedup = new FlagCalledDeduplicator(10)
    expect(dedup.firstReport('u', 'f', true)).toBe(true)
    expect(dedup.firstReport('u', 'f', true)).toBe(false)
    expect(dedup.firstReport('u', 'f', false)).toBe(true)
    expect(dedup.firstReport('u', 'g', true)).toBe(true)
    expect(dedup.firstReport('v', 'f', true)).toBe(true)
    expect(dedup.calls).toEqual({ u: ['f_true', 'f_false', 'g_true'], v: ['f_true'] })
  })

  test('an undefined response is remembered as such', () => {
    const dedup = new FlagCalledDeduplicator(10)
    expect(dedup.firstReport('u', 'f', undefined)).toBe(true)
    expect(dedup.firstReport('u', 'f', undefined)).toBe(false)
    expect(dedup.calls).toEqual({ u: ['f_undefined'] })
  })

  test('starts over when maxCacheSize distinct ids are remembered', () => {
    const dedup = new FlagCalledDeduplicator(2)
    dedup.firstReport('a', 'f', true)
    dedup.firstReport('b', 'f', true)
    expect(dedup.firstReport('c', 'f', true)).toBe(true)
    expect(dedup.calls).toEqual({ c: ['f_true'] })
    // 'a' was forgotten, so it is reported again.
    expect(dedup.firstReport('a', 'f', true)).toBe(true)
  })

  test('a record replaced from outside is counted from its own size', () => {
    const dedup = new FlagCalledDeduplicator(2)
    dedup.calls = { a: ['f_true'], b: ['f_true'] }
    expect(dedup.firstReport('c', 'f', true)).toBe(true)
    expect(dedup.calls).toEqual({ c: ['f_true'] })
  })

  test('distinct ids named like Object.prototype members are ordinary ids', () => {
    const dedup = new FlagCalledDeduplicator(10)
    expect(dedup.firstReport('constructor', 'f', true)).toBe(true)
    expect(dedup.firstReport('__proto__', 'f', true)).toBe(true)
    expect(dedup.firstReport('constructor', 'f', true)).toBe(false)
    expect(dedup.firstReport('__proto__', 'f', true)).toBe(false)
    expect(Object.keys(dedup.calls)).toEqual(['constructor', '__proto__'])
  })
})

describe('$feature_flag_called through the client', () => {
  test('repeated checks send one event; a new response sends another', async () => {
    const { client, events } = testClient({}, flags('a'))
    await client.getFeatureFlag('f', 'user')
    await client.getFeatureFlag('f', 'user')
    await client.isFeatureEnabled('f', 'user')
    await client.shutdown()
    expect(events.filter((e) => e.event === '$feature_flag_called')).toHaveLength(1)
    expect(client.distinctIdHasSentFlagCalls).toEqual({ user: ['f_a'] })
  })

  test('maxCacheSize bounds the remembered distinct ids', async () => {
    const { client, events } = testClient({ maxCacheSize: 10 }, flags(true))
    for (let i = 0; i < 25; i++) await client.getFeatureFlag('f', `user-${i}`)
    expect(Object.keys(client.distinctIdHasSentFlagCalls).length).toBeLessThanOrEqual(10)
    await client.shutdown()
    expect(events.filter((e) => e.event === '$feature_flag_called')).toHaveLength(25)
  })

  test('maxCacheSize 0 means the default (50000)', async () => {
    const { client } = testClient({ maxCacheSize: 0 }, flags(true))
    for (let i = 0; i < 5; i++) await client.getFeatureFlag('f', `user-${i}`)
    expect(Object.keys(client.distinctIdHasSentFlagCalls)).toHaveLength(5)
    await client.shutdown()
  })

  test('the event carries the remote metadata and request id', async () => {
    const { client, events } = testClient(
      {},
      {
        flags: {
          f: {
            key: 'f',
            enabled: true,
            variant: 'v',
            reason: { code: 'condition_match', description: 'Matched' },
            metadata: { id: 3, version: 4 },
          },
        },
        requestId: 'r-1',
      }
    )
    await client.getFeatureFlag('f', 'user', { groups: { company: 'acme' } })
    await client.shutdown()
    expect(events[0]).toMatchObject({
      event: '$feature_flag_called',
      distinct_id: 'user',
      properties: {
        $feature_flag: 'f',
        $feature_flag_response: 'v',
        $feature_flag_id: 3,
        $feature_flag_version: 4,
        $feature_flag_reason: 'Matched',
        $feature_flag_request_id: 'r-1',
        locally_evaluated: false,
        '$feature/f': 'v',
        $groups: { company: 'acme' },
      },
    })
  })

  test('the de-dup record is kept even when a hook drops the event', async () => {
    const { client, events } = testClient({ before_send: () => null }, flags(true))
    await client.getFeatureFlag('f', 'user')
    await client.shutdown()
    expect(events).toHaveLength(0)
    expect(client.distinctIdHasSentFlagCalls).toEqual({ user: ['f_true'] })
  })
})
