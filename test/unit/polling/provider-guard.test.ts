import { ProviderGuard } from '../../../src/polling/provider-guard'
import { settleWithin } from '../../../src/polling/settle'
import { StatsRecorder } from '../../../src/polling/stats'
import { cacheData, fakeProvider, never } from './helpers'

describe('settleWithin', () => {
  it('accepts a synchronous value', async () => {
    expect(await settleWithin(() => 42, 100)).toEqual({ status: 'ok', value: 42 })
  })

  it('catches a synchronous throw', async () => {
    const error = new Error('sync')
    expect(
      await settleWithin(() => {
        throw error
      }, 100)
    ).toEqual({ status: 'error', error })
  })

  it('awaits a thenable that is not a native promise', async () => {
    const thenable = { then: (resolve: (value: string) => void) => resolve('from a thenable') }
    expect(await settleWithin(() => thenable as unknown as Promise<string>, 100)).toEqual({
      status: 'ok',
      value: 'from a thenable',
    })
  })

  it('adopts a promise or thenable that a thenable resolves with, as await does', async () => {
    const nested = { then: (resolve: (value: unknown) => void) => resolve(Promise.resolve(false)) }
    const doubly = { then: (resolve: (value: unknown) => void) => resolve(nested) }
    expect(await settleWithin(() => nested as never, 100)).toEqual({ status: 'ok', value: false })
    expect(await settleWithin(() => doubly as never, 100)).toEqual({ status: 'ok', value: false })
  })

  it('catches a rejecting thenable and a then that throws', async () => {
    const rejecting = { then: (_: unknown, reject: (e: unknown) => void) => reject('no') }
    const throwing = {
      then: () => {
        throw new Error('then threw')
      },
    }
    expect(await settleWithin(() => rejecting as never, 100)).toEqual({ status: 'error', error: 'no' })
    expect((await settleWithin(() => throwing as never, 100)).status).toBe('error')
  })

  it('times out a call that never settles', async () => {
    expect(await settleWithin(never, 20)).toEqual({ status: 'timeout' })
  })

  it('absorbs a rejection that arrives after the timeout', async () => {
    const unhandled = jest.fn()
    process.on('unhandledRejection', unhandled)
    try {
      const late = () => new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 30))
      expect(await settleWithin(late, 5)).toEqual({ status: 'timeout' })
      await new Promise((resolve) => setTimeout(resolve, 60))
      expect(unhandled).not.toHaveBeenCalled()
    } finally {
      process.off('unhandledRejection', unhandled)
    }
  })
})

describe('the provider guard', () => {
  const setup = (provider: ReturnType<typeof fakeProvider>, timeoutMs = 50) => {
    const errors: Error[] = []
    const stats = new StatsRecorder()
    const guard = new ProviderGuard(provider, timeoutMs, (e) => errors.push(e), stats)
    return { guard, errors, stats, messages: () => errors.map((e) => e.message) }
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
    expect(await guard.read()).toEqual({ kind: 'failed' })
    expect(messages()).toEqual(['Failed to load from cache: Error: redis down'])
    expect(stats.snapshot().providerErrors).toBe(1)
  })

  it('reports a read that hangs as a timeout, naming the method and the bound', async () => {
    const { guard, messages, stats } = setup(fakeProvider({ read: never }), 20)
    expect(await guard.read()).toEqual({ kind: 'failed' })
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

  it('reports a failed store with the "Failed to store in cache" prefix', async () => {
    const { guard, messages } = setup(fakeProvider({ store: () => Promise.reject(new Error('full')) }))
    await guard.store(cacheData())
    expect(messages()).toEqual(['Failed to store in cache: Error: full'])
  })

  it('calls shutdown once however often it is asked, and no other method afterwards', async () => {
    const provider = fakeProvider({ read: cacheData() })
    const { guard } = setup(provider)
    await Promise.all([guard.shutdown(100), guard.shutdown(100)])
    await guard.shutdown(100)
    expect(await guard.read()).toEqual({ kind: 'failed' })
    expect(await guard.shouldFetch()).toBe(false)
    await guard.store(cacheData())
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
})
