// The README's "Writing your own provider" example, taken from README.md as it is, compiled against the packed
// package and run: a store of only the four lease operations over an in-memory versioned database, shared by many
// provider instances as a fleet would share a real one.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createProject, runNode, strictNodeUser } from './helpers/consumer-project'
import { repoRoot } from './helpers/packed-consumer'
import { typescriptBlocks } from './helpers/readme-blocks'
import { compileProject } from './helpers/typescript'

// The first file to run packs and installs the package; a loaded machine makes that slow, not wrong.
jest.setTimeout(120_000)

const example = typescriptBlocks(readFileSync(join(repoRoot, 'README.md'), 'utf8')).find((block) =>
  block.code.includes('implements LeaseStore')
)

const driver = `
import type { EntryRecord, RecordDb } from './own-provider.js'
import { recordDbFlagDefinitionCache } from './own-provider.js'

/** Versioned records in memory; every call yields first, so concurrent callers really interleave. */
class MemoryDb implements RecordDb {
  readonly records = new Map<string, { record: EntryRecord; version: number }>()
  async get(name: string) {
    await new Promise((resolve) => setImmediate(resolve))
    const stored = this.records.get(name)
    return stored && { record: structuredClone(stored.record), version: stored.version }
  }
  async putIfVersion(name: string, record: EntryRecord, version: number) {
    await new Promise((resolve) => setImmediate(resolve))
    if ((this.records.get(name)?.version ?? 0) !== version) return false
    this.records.set(name, { record: structuredClone(record), version: version + 1 })
    return true
  }
}

const definitions = {
  flags: [{ id: 1, name: 'beta', key: 'beta', active: true, deleted: false, filters: { groups: [{ properties: [], rollout_percentage: 100 }] } }],
  groupTypeMapping: {},
  cohorts: {},
} as never

const db = new MemoryDb()
const fleet = Array.from({ length: 20 }, () => recordDbFlagDefinitionCache(db, 'phc_project_key'))
const answers = await Promise.all(fleet.map((cache) => cache.shouldFetchFlagDefinitions()))
const holder = fleet[answers.indexOf(true)]!
await holder.onFlagDefinitionsReceived(definitions)
const reads = await Promise.all(fleet.map((cache) => cache.getFlagDefinitions()))
const late = recordDbFlagDefinitionCache(db, 'phc_project_key')
const withSecret = recordDbFlagDefinitionCache(db, 'phc_project_key', 'fleet secret')
console.log(JSON.stringify({
  leasesGranted: answers.filter(Boolean).length,
  readersWithDefinitions: reads.filter((read) => JSON.stringify(read) === JSON.stringify(definitions)).length,
  lateArrivalFetches: await late.shouldFetchFlagDefinitions(),
  lateArrivalStats: late.getStats(),
  unsignedEntryReadWithSecret: (await withSecret.getFlagDefinitions()) ?? null,
  withSecretStats: withSecret.getStats(),
  leaseLeft: [...db.records.values()].some(({ record }) => record.leaseOwner !== undefined),
}))
`

describe("README's own-provider example", () => {
  it('is in the README', () => {
    expect(example).toBeDefined()
  })

  it('compiles as the README shows it and coordinates a fleet of 20 instances over one store', async () => {
    const dir = createProject({
      name: 'readme-own-provider',
      packageType: 'module',
      compilerOptions: { ...strictNodeUser, module: 'nodenext' },
      files: { 'own-provider.ts': example!.code, 'run.ts': driver },
    })
    expect(compileProject(dir).text).toBe('')
    const result = await runNode(dir, ['out/run.js'])
    // The one problem of the run, reported by the default logger: the unsigned entry a reader with a secret refused.
    expect(result.stderr.trim()).toBe(
      '[PostHog RecordDbFlagDefinitionCache] ignoring the stored definitions for this key: ' +
        'stored entry has no HMAC tag, but this provider has a secret'
    )
    expect(JSON.parse(result.stdout)).toEqual({
      leasesGranted: 1,
      readersWithDefinitions: 20,
      lateArrivalFetches: false,
      lateArrivalStats: expect.objectContaining({ fresh: 1, leasesTaken: 0 }),
      unsignedEntryReadWithSecret: null,
      withSecretStats: expect.objectContaining({ invalid: 1 }),
      leaseLeft: false,
    })
  })
})
