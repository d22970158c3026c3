// Parity with upstream 5.13.2 for the capture family: both implementations must send the same /batch/ requests.
import { meaningful, runBoth, sentEvents } from './parity-harness'

const ok = { batch: { status: 200 } }

describe('capture family sends the same batches as upstream', () => {
  test('capture with properties, groups, timestamp and uuid', async () => {
    const { ours, upstream } = await runBoth({}, ok, async (client) => {
      client.capture({
        distinctId: 'user-1',
        event: 'movie played',
        properties: { title: 'Alien', $set: { seen: true } },
        groups: { company: 'acme', project: 42 },
        timestamp: new Date('2024-01-02T03:04:05Z'),
        uuid: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
      })
    })
    expect(meaningful(ours.requests)).toEqual(meaningful(upstream.requests))
    const [event] = sentEvents(ours.requests)
    expect(event).toMatchObject({
      timestamp: '2024-01-02T03:04:05.000Z',
      uuid: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
    })
    expect(sentEvents(ours.requests)).toHaveLength(1)
  })

  test('captureImmediate sends at once, one event per request', async () => {
    const { ours, upstream } = await runBoth(
      {},
      ok,
      async (client) => {
        await client.captureImmediate({ distinctId: 'u', event: 'first' })
        await client.captureImmediate({ distinctId: 'u', event: 'second', properties: { n: 2 } })
        return 'sent'
      },
      { shutdown: false }
    )
    expect(ours.requests).toHaveLength(2)
    expect(meaningful(ours.requests)).toEqual(meaningful(upstream.requests))
  })

  test('identify moves $set_once out and uses $set or the remaining properties', async () => {
    const { ours, upstream } = await runBoth({}, ok, async (client) => {
      client.identify({ distinctId: 'a', properties: { name: 'Ann', $set_once: { first_seen: 'today' } } })
      client.identify({ distinctId: 'b', properties: { $set: { plan: 'pro' }, ignored: 1 } })
      client.identify({ distinctId: 'c' })
      await client.identifyImmediate({ distinctId: 'd', properties: { $set_once: { x: 1 } }, disableGeoip: false })
    })
    expect(meaningful(ours.requests)).toEqual(meaningful(upstream.requests))
    expect(sentEvents(ours.requests)).toHaveLength(4)
  })

  test('identify removes $set_once from the caller object, as upstream does', async () => {
    const passed: Record<string, unknown>[] = []
    await runBoth({}, ok, async (client) => {
      const properties = { name: 'x', $set_once: { a: 1 } }
      passed.push(properties)
      client.identify({ distinctId: 'a', properties })
    })
    expect(passed).toEqual([{ name: 'x' }, { name: 'x' }])
  })

  test('alias and aliasImmediate', async () => {
    const { ours, upstream } = await runBoth({}, ok, async (client) => {
      client.alias({ distinctId: 'new', alias: 'old' })
      await client.aliasImmediate({ distinctId: 'new2', alias: 'old2', disableGeoip: false })
    })
    expect(meaningful(ours.requests)).toEqual(meaningful(upstream.requests))
    expect(sentEvents(ours.requests).map((e) => e.event)).toEqual(['$create_alias', '$create_alias'])
  })

  test('groupIdentify with and without a distinct id', async () => {
    const { ours, upstream } = await runBoth({}, ok, async (client) => {
      client.groupIdentify({ groupType: 'company', groupKey: 'acme', properties: { size: 10 } })
      client.groupIdentify({ groupType: 'org', groupKey: 'o1', distinctId: 'user-9', disableGeoip: false })
    })
    expect(meaningful(ours.requests)).toEqual(meaningful(upstream.requests))
    expect(sentEvents(ours.requests).map((e) => e.distinct_id)).toEqual(['$company_acme', 'user-9'])
  })

  test('geoip: disabled by default, per-call false re-enables it, client option false turns it off', async () => {
    for (const options of [{}, { disableGeoip: false }]) {
      const { ours, upstream } = await runBoth(options, ok, async (client) => {
        client.capture({ distinctId: 'u', event: 'default' })
        client.capture({ distinctId: 'u', event: 'override-false', disableGeoip: false })
        client.capture({ distinctId: 'u', event: 'override-true', disableGeoip: true })
      })
      expect(meaningful(ours.requests)).toEqual(meaningful(upstream.requests))
    }
  })

  test('historicalMigration marks the batch', async () => {
    const { ours, upstream } = await runBoth({ historicalMigration: true }, ok, async (client) => {
      client.capture({ distinctId: 'u', event: 'old' })
    })
    expect(meaningful(ours.requests)).toEqual(meaningful(upstream.requests))
    expect(ours.requests[0].body).toMatchObject({ historical_migration: true })
  })

  test('flushAt and maxBatchSize split the queue the same way', async () => {
    const { ours, upstream } = await runBoth({ flushAt: 3, maxBatchSize: 3 }, ok, async (client) => {
      for (let i = 0; i < 7; i++) client.capture({ distinctId: 'u', event: `e${i}` })
      await new Promise((resolve) => setTimeout(resolve, 20))
      await client.flush()
    })
    expect(sentEvents(ours.requests)).toHaveLength(7)
    expect(meaningful(ours.requests)).toEqual(meaningful(upstream.requests))
  })

  test('shutdown sends everything still queued or being prepared', async () => {
    const { ours, upstream } = await runBoth({ flushAt: 1000, maxBatchSize: 50 }, ok, async (client) => {
      for (let i = 0; i < 120; i++) client.capture({ distinctId: `u${i}`, event: 'queued' })
      client.identify({ distinctId: 'u0', properties: { a: 1 } })
    })
    expect(sentEvents(ours.requests)).toHaveLength(121)
    expect(ours.requests).toHaveLength(upstream.requests.length)
    const names = (run: typeof ours) =>
      sentEvents(run.requests)
        .map((e) => `${e.event}:${e.distinct_id}`)
        .sort()
    expect(names(ours)).toEqual(names(upstream))
  })

  test('an opted-out client sends nothing; enable() resumes', async () => {
    const { ours, upstream } = await runBoth({}, ok, async (client) => {
      await client.disable()
      client.capture({ distinctId: 'u', event: 'dropped' })
      await new Promise((resolve) => setTimeout(resolve, 10))
      await client.enable()
      client.capture({ distinctId: 'u', event: 'kept' })
    })
    expect(sentEvents(ours.requests).map((e) => e.event)).toEqual(['kept'])
    expect(meaningful(ours.requests)).toEqual(meaningful(upstream.requests))
  })

  test('disabled: true sends nothing', async () => {
    const { ours, upstream } = await runBoth({ disabled: true }, ok, async (client) => {
      client.capture({ distinctId: 'u', event: 'x' })
      client.identify({ distinctId: 'u' })
      await client.captureImmediate({ distinctId: 'u', event: 'y' })
    })
    expect(ours.requests).toEqual([])
    expect(upstream.requests).toEqual([])
  })

  test('captureException and captureExceptionImmediate send the same $exception events', async () => {
    const error = new TypeError('the same error for both')
    const { ours, upstream } = await runBoth({}, ok, async (client) => {
      client.captureException(error, 'user-1', { route: '/checkout' })
      await client.captureExceptionImmediate(error, 'user-2')
    })
    const exceptions = (run: typeof ours) =>
      sentEvents(run.requests)
        .map((e) => JSON.stringify(e.properties))
        .sort()
    // Same Error object for both, so the frames agree (a synthetic stack for non-Error input would not).
    expect(sentEvents(ours.requests)).toHaveLength(2)
    expect(exceptions(ours)).toEqual(exceptions(upstream))
  })
})
