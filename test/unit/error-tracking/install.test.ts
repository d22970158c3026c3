import { ErrorTracking, installEdgeErrorTracking } from '../../../src/error-tracking'
import { installNodeErrorTracking } from '../../../src/error-tracking/node'
import { exceptionList } from './fake-client'

async function framesOf(error: Error) {
  const message = await ErrorTracking.buildEventMessage(error, {}, 'user-1')
  return exceptionList(message)[0].stacktrace?.frames ?? []
}

afterAll(() => installNodeErrorTracking())

describe('entry-point installation', () => {
  it('the edge build parses frames but adds neither module names nor source context', async () => {
    installEdgeErrorTracking()
    const frames = await framesOf(new Error('edge'))

    expect(frames.length).toBeGreaterThan(0)
    expect(frames.some((frame) => frame.module !== undefined || frame.context_line !== undefined)).toBe(false)
  })

  it('the node build adds module names and source context', async () => {
    installNodeErrorTracking()
    const frames = await framesOf(new Error('node'))
    const here = frames[frames.length - 1]

    expect(here.filename).toBe(__filename)
    expect(here.module).toEqual(expect.any(String))
    expect(here.context_line).toBe("    const frames = await framesOf(new Error('node'))")
  })
})
