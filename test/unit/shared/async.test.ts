// The async utilities every waiting part of the package uses: bounded calls, unref'd timers, and the keep-alive
// that refs them exactly while a caller waits.
import {
  KeepAlive,
  TimeoutError,
  deadlineIn,
  describeError,
  errorMessage,
  settleWithin,
  unref,
  unrefTimeout,
  withTimeout,
} from '../../../src/shared/async'

const never = (): Promise<never> => new Promise(() => undefined)

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

const refed = (handle: unknown): boolean => (handle as NodeJS.Timeout).hasRef()

describe('withTimeout', () => {
  it('passes the value and the rejection of an operation that settles in time', async () => {
    await expect(withTimeout(Promise.resolve(7), 100, 'adding')).resolves.toBe(7)
    const error = new Error('refused')
    await expect(withTimeout(Promise.reject(error), 100, 'adding')).rejects.toBe(error)
  })

  it('rejects with a TimeoutError naming the operation when it does not settle in time', async () => {
    const outcome = withTimeout(never(), 20, 'reading the entry')
    await expect(outcome).rejects.toBeInstanceOf(TimeoutError)
    await expect(outcome).rejects.toThrow('reading the entry did not finish within 20 ms')
  })
})

describe('unrefTimeout', () => {
  it('returns a timer that does not hold the process', () => {
    const handle = unrefTimeout(() => undefined, 1000)
    expect(refed(handle)).toBe(false)
    clearTimeout(handle)
  })

  it('clamps a delay Node would fire at once (above 2^31-1 ms) instead of firing it', () => {
    jest.useFakeTimers()
    try {
      const fired = jest.fn()
      unrefTimeout(fired, 2 ** 40)
      jest.advanceTimersByTime(10_000)
      expect(fired).not.toHaveBeenCalled()
    } finally {
      jest.useRealTimers()
    }
  })
})

describe('unref', () => {
  it('unrefs what has an unref method and ignores what has none (edge timers are plain numbers)', () => {
    const socket = { unref: jest.fn() }
    unref(socket)
    expect(socket.unref).toHaveBeenCalledTimes(1)
    expect(() => [unref(7), unref(undefined), unref({ unref: 'no' })]).not.toThrow()
  })
})

describe('KeepAlive', () => {
  it("creates unref'd timers while nobody waits", () => {
    const keepAlive = new KeepAlive()
    const handle = keepAlive.setTimeout(() => undefined, 1000)
    expect(refed(handle)).toBe(false)
    keepAlive.clearTimeout(handle)
  })

  it('refs its live timers while a caller waits, and unrefs them when the last one is done', async () => {
    const keepAlive = new KeepAlive()
    const before = keepAlive.setTimeout(() => undefined, 1000)
    let finishFirst: () => void = () => undefined
    let finishSecond: () => void = () => undefined
    const first = keepAlive.during(new Promise<void>((resolve) => (finishFirst = resolve)))
    const second = keepAlive.during(new Promise<void>((resolve) => (finishSecond = resolve)))
    const during = keepAlive.setTimeout(() => undefined, 1000)
    expect([refed(before), refed(during)]).toEqual([true, true])
    finishFirst()
    await first
    expect([refed(before), refed(during)]).toEqual([true, true]) // one caller still waits
    finishSecond()
    await second
    expect([refed(before), refed(during)]).toEqual([false, false])
    keepAlive.clearTimeout(before)
    keepAlive.clearTimeout(during)
  })

  it('lets go of a caller whose work rejected, and passes the rejection on', async () => {
    const keepAlive = new KeepAlive()
    const handle = keepAlive.setTimeout(() => undefined, 1000)
    await expect(keepAlive.during(Promise.reject(new Error('no')))).rejects.toThrow('no')
    expect(refed(handle)).toBe(false)
    keepAlive.clearTimeout(handle)
  })

  it('holds the bound of a settleWithin call made on it while a caller waits', async () => {
    const keepAlive = new KeepAlive()
    const seen: boolean[] = []
    const spy = jest.spyOn(keepAlive, 'setTimeout')
    const call = keepAlive.during(settleWithin(never, 30, keepAlive))
    seen.push(refed(spy.mock.results[0]!.value))
    expect(await call).toEqual({ status: 'timeout' })
    expect(seen).toEqual([true])
  })
})

describe('deadlineIn', () => {
  it('tells what is left of the deadline, never less than zero', async () => {
    const left = deadlineIn(40)
    expect(left()).toBeGreaterThan(30)
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(left()).toBe(0)
  })
})

describe('describeError and errorMessage', () => {
  it('name an error with and without its class, and a thrown non-error by its value', () => {
    const error = new TypeError('bad')
    expect([describeError(error), errorMessage(error)]).toEqual(['TypeError: bad', 'bad'])
    expect([describeError('text'), errorMessage(42)]).toEqual(['text', '42'])
  })

  it('survive a thrown value that cannot be printed', () => {
    const unprintable = Object.create(null) as object
    expect([describeError(unprintable), errorMessage(unprintable)]).toEqual([
      'an unprintable value',
      'an unprintable value',
    ])
  })
})
