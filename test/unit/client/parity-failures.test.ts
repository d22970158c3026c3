// Parity with upstream 5.13.2 when /batch/ fails: same attempts, same errors, nothing thrown where upstream
// swallows, and shutdown still flushes what can be flushed.
import { errorSummary, meaningful, runBoth, sentEvents, type Endpoints } from './parity-harness'

const failures: [string, NonNullable<Endpoints['batch']>][] = [
  ['HTTP 400', { status: 400, body: { error: 'bad' } }],
  ['HTTP 500', { status: 500, body: 'oops' }],
  ['a network error', { networkError: true }],
  ['a timeout', { status: 200, delayMs: 300 }],
]

let consoleError: jest.SpyInstance
beforeEach(() => {
  // Both implementations print flush failures; the assertions are on requests and error events.
  consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined)
})
afterEach(() => consoleError.mockRestore())

describe('failed batches are handled as upstream handles them', () => {
  test.each(failures)('captureImmediate with %s emits one error and resolves', async (_name, batch) => {
    const { ours, upstream } = await runBoth(
      { requestTimeout: timeoutFor(batch) },
      { batch },
      async (client) => {
        await client.captureImmediate({ distinctId: 'u', event: 'immediate' })
        return 'resolved'
      },
      { shutdown: false }
    )
    expect(ours.result).toBe('resolved')
    expect(ours.errors).toHaveLength(1)
    expect(ours.result).toEqual(upstream.result)
    expect(meaningful(ours.requests)).toEqual(meaningful(upstream.requests))
    expect(errorSummary(ours.errors).map(kind)).toEqual(errorSummary(upstream.errors).map(kind))
  })

  test.each(failures)('flush with %s rejects like upstream', async (_name, batch) => {
    const { ours, upstream } = await runBoth(
      { requestTimeout: timeoutFor(batch) },
      { batch },
      async (client) => {
        client.capture({ distinctId: 'u', event: 'queued' })
        await new Promise((resolve) => setTimeout(resolve, 10))
        try {
          await client.flush()
          return 'flushed'
        } catch (error) {
          return `rejected: ${error instanceof Error ? error.name : typeof error}`
        }
      },
      { shutdown: false }
    )
    expect(ours.result).toEqual(upstream.result)
    expect(meaningful(ours.requests)).toEqual(meaningful(upstream.requests))
    expect(errorSummary(ours.errors).map(kind)).toEqual(errorSummary(upstream.errors).map(kind))
  })

  test('retries: fetchRetryCount extra attempts after a 5xx', async () => {
    const { ours, upstream } = await runBoth(
      { fetchRetryCount: 2, fetchRetryDelay: 5 },
      { batch: { status: 503 } },
      async (client) => client.captureImmediate({ distinctId: 'u', event: 'retried' }),
      { shutdown: false }
    )
    expect(ours.requests).toHaveLength(3)
    expect(meaningful(ours.requests)).toEqual(meaningful(upstream.requests))
  })

  test('HTTP 413 halves the batch size and resends the same events', async () => {
    const { ours, upstream } = await runBoth({ flushAt: 4 }, { batch: { status: 413 } }, async (client) => {
      for (let i = 0; i < 4; i++) client.capture({ distinctId: 'u', event: `e${i}` })
      await new Promise((resolve) => setTimeout(resolve, 10))
      await client.flush().catch(() => undefined)
    })
    expect(meaningful(ours.requests)).toEqual(meaningful(upstream.requests))
    expect(ours.requests.map((r) => (r.body as { batch: unknown[] }).batch.length).slice(0, 3)).toEqual([4, 2, 1])
  })

  test.each(failures)('shutdown with %s resolves and attempts every queued event', async (_name, batch) => {
    const { ours, upstream } = await runBoth(
      { flushAt: 100, requestTimeout: timeoutFor(batch) },
      { batch },
      async (client) => {
        for (let i = 0; i < 5; i++) client.capture({ distinctId: 'u', event: `e${i}` })
        await client.shutdown(5000)
        return 'shut down'
      },
      { shutdown: false }
    )
    expect(ours.result).toBe('shut down')
    expect(ours.result).toEqual(upstream.result)
    expect(sentEvents(ours.requests).map((e) => e.event)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4'])
    expect(meaningful(ours.requests)).toEqual(meaningful(upstream.requests))
  })
})

/** A short timeout only where the timeout is the point: under load a slow mock must not look like a failure. */
function timeoutFor(batch: NonNullable<Endpoints['batch']>): number {
  return 'delayMs' in batch ? 100 : 5000
}

/** The error class (and core's error kind), without volatile detail. */
function kind(summary: string): string {
  return summary.split(':')[0]
}
