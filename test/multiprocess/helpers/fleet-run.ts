// The resources of a suite of fleet specs: one snapshot of the build for the suite, and per spec the stand-in API
// and the fleet, stopped after each spec whatever happened.
import type { StandIn } from '../../../tools/posthog-stand-in.cjs'
import { removeSnapshot, snapshotOfBuild } from './build'
import type { Fleet } from './fleet'

export interface FleetRun {
  /** The build snapshot the workers load (set before the first spec). */
  readonly distDir: string
  /** The spec's stand-in API, closed after it. */
  api: StandIn | undefined
  /** The spec's fleet, stopped after it. */
  fleet: Fleet | undefined
  /** Stops the fleet now (a spec that must tear down its servers after the workers). */
  stopFleet(): Promise<void>
}

/** Registers the suite's hooks (call inside a describe) and returns what the specs fill in. */
export function useFleetRun(): FleetRun {
  let distDir: string | undefined
  const run: FleetRun = {
    get distDir() {
      if (!distDir) throw new Error('the build snapshot is taken in beforeAll')
      return distDir
    },
    api: undefined,
    fleet: undefined,
    async stopFleet() {
      await run.fleet?.stop()
      run.fleet = undefined
    },
  }
  beforeAll(() => {
    distDir = snapshotOfBuild()
  })
  afterAll(() => removeSnapshot(distDir))
  afterEach(async () => {
    await run.stopFleet()
    await run.api?.close()
    run.api = undefined
  })
  return run
}
