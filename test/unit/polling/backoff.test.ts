import { Backoff } from '../../../src/polling/backoff'

describe('backoff', () => {
  it('waits the polling interval while nothing was refused', () => {
    expect(new Backoff(1000).intervalMs).toBe(1000)
  })

  it('doubles the interval per consecutive refusal, up to 60 s', () => {
    const backoff = new Backoff(10_000)
    const seen = [1, 2, 3, 4].map(() => (backoff.fail(), backoff.intervalMs))
    expect(seen).toEqual([20_000, 40_000, 60_000, 60_000])
  })

  it('never shortens an interval configured above 60 s', () => {
    const backoff = new Backoff(120_000)
    backoff.fail()
    expect(backoff.intervalMs).toBe(120_000)
  })

  it('stays finite however many refusals pile up', () => {
    const backoff = new Backoff(100)
    for (let i = 0; i < 10_000; i++) backoff.fail()
    expect(backoff.intervalMs).toBe(60_000)
  })

  it('returns to the polling interval after a reset', () => {
    const backoff = new Backoff(1000)
    backoff.fail()
    backoff.reset()
    expect(backoff.intervalMs).toBe(1000)
  })
})
