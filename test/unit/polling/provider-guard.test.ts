import { ProviderGuard } from '../../../src/polling/provider-guard'
import { StatsRecorder } from '../../../src/polling/stats'
import { backgroundTimers } from '../../../src/shared/async'
import { OncePerKind } from '../../../src/shared/once-per-kind'
import { cacheData, fakeProvider, never } from './helpers'

describe('the provider guard', () => {
  const setup = (provider: ReturnType<typeof fakeProvider>, timeoutMs = 50) => {
    const errors: Error[] = []
    const logged: string[] = []
    const stats = new StatsRecorder()
    const guard = new ProviderGuard(provider, {
      timeoutMs,
      report: (e) => errors.push(e),
      stats,
      timers: backgroundTimers,
      warnings: new OncePerKind((message) => logged.push(message)),
    })
    return { guard, errors, stats, logged, messages: () => errors.map((e) => e.message) }
  }

  it('reads a hit, and treats undefined or null as a miss', async () => {
    expect(await setup(fakeProvider({ read: cacheData() })).guard.read()).toEqual({ kind: 'hit', value: cacheData() })
    expect(await setup(fakeProvider({ read: undefined })).guard.read()).toEqual({ kind: 'miss' })
    expect(await setup(fakeProvider({ read: null })).guard.read()).toEqual({ kind: 'miss' })
  })

  it('reports a failed read with the "Failed to load from cache" prefix and counts it', async () => {
    const { guard, messages, stats } = setup(
      fakeProvider({
        read: () => {
          throw new Error('redis down')
        },
      })
    )
    expect(await guard.read()).toEqual({ kind: 'failed', timedOut: false })
    expect(messages()).toEqual(['Failed to load from cache: Error: redis down'])
    expect(stats.snapshot().providerErrors).toBe(1)
  })

  it('reports a read that hangs as a timeout, naming the method and the bound', async () => {
    const { guard, messages, stats } = setup(fakeProvider({ read: never }), 20)
    expect(await guard.read()).toEqual({ kind: 'failed', timedOut: true })
    expect(messages()[0]).toMatch(/^Failed to load from cache: getFlagDefinitions\(\) did not settle within 20ms/)
    expect(stats.snapshot().providerTimeouts).toBe(1)
  })

  it('treats a throwing, rejecting or hanging shouldFetchFlagDefinitions as "fetch"', async () => {
    const failing = [
      () => {
        throw new Error('sync')
      },
      () => Promise.reject(new Error('async')),
      never,
    ]
    for (const shouldFetch of failing) {
      const { guard, messages } = setup(fakeProvider({ shouldFetch }), 20)
      expect(await guard.shouldFetch()).toBe(true)
      expect(messages()[0]).toMatch(/^Error in shouldFetchFlagDefinitions: /)
    }
  })

  it('uses the answer of shouldFetchFlagDefinitions by truthiness, sync or async', async () => {
    expect(await setup(fakeProvider({ shouldFetch: false })).guard.shouldFetch()).toBe(false)
    expect(await setup(fakeProvider({ shouldFetch: () => Promise.resolve(true) })).guard.shouldFetch()).toBe(true)
    expect(await setup(fakeProvider({ shouldFetch: () => Promise.resolve(false) })).guard.shouldFetch()).toBe(false)
  })

  it('reports a failed write with the "Failed to store in cache" prefix', async () => {
    const { guard, messages } = setup(fakeProvider({ store: () => Promise.reject(new Error('full')) }))
    await guard.write(cacheData())
    expect(messages()).toEqual(['Failed to store in cache: Error: full'])
  })

  it('calls shutdown once however often it is asked, and no other method afterwards', async () => {
    const provider = fakeProvider({ read: cacheData() })
    const { guard } = setup(provider)
    await Promise.all([guard.shutdown(100), guard.shutdown(100)])
    await guard.shutdown(100)
    expect(await guard.read()).toEqual({ kind: 'failed', timedOut: false })
    expect(await guard.shouldFetch()).toBe(false)
    await guard.write(cacheData())
    expect(provider.shutdown).toHaveBeenCalledTimes(1)
    expect(provider.getFlagDefinitions).not.toHaveBeenCalled()
    expect(provider.shouldFetchFlagDefinitions).not.toHaveBeenCalled()
    expect(provider.onFlagDefinitionsReceived).not.toHaveBeenCalled()
  })

  it('reports a shutdown that throws synchronously or hangs past its bound', async () => {
    const throwing = setup(
      fakeProvider({
        shutdown: () => {
          throw new Error('boom')
        },
      })
    )
    await throwing.guard.shutdown(100)
    expect(throwing.messages()).toEqual(['Error during cache shutdown: Error: boom'])
    const hanging = setup(fakeProvider({ shutdown: never }))
    await hanging.guard.shutdown(20)
    expect(hanging.messages()[0]).toMatch(/^Error during cache shutdown: shutdown\(\) did not settle within 20ms/)
  })

  it('logs each kind of failure once, however the messages vary or alternate', async () => {
    let call = 0
    const texts = ['connection reset', 'ECONNREFUSED', 'socket hang up']
    const { guard, logged, errors } = setup(
      fakeProvider({
        read: () => {
          throw new Error(texts[call++ % 3])
        },
        shouldFetch: () => {
          throw new Error('lock exploded')
        },
      })
    )
    for (let i = 0; i < 9; i++) await guard.read()
    await guard.shouldFetch()
    await guard.shouldFetch()
    expect(errors).toHaveLength(11) // every occurrence still reaches the 'error' event
    expect(logged).toHaveLength(2)
    expect(logged[0]).toMatch(/^\[PostHog\] Failed to load from cache: Error: connection reset \(logged once per kind/)
    expect(logged[1]).toMatch(/^\[PostHog\] Error in shouldFetchFlagDefinitions: Error: lock exploded/)
  })

  it('logs a timeout apart from an error of the same method', async () => {
    let hang = false
    const { guard, logged } = setup(
      fakeProvider({
        read: () => {
          if (hang) return never()
          throw new Error('down')
        },
      }),
      20
    )
    await guard.read()
    hang = true
    await guard.read()
    await guard.read()
    expect(logged).toEqual([
      expect.stringContaining('Failed to load from cache: Error: down'),
      expect.stringContaining('getFlagDefinitions() did not settle'),
    ])
  })
})
