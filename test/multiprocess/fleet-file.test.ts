import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freshnessScenarios } from './helpers/freshness'

describe('FileFlagDefinitionCache fleet: push and the shared ETag', () => {
  const directory = mkdtempSync(join(tmpdir(), 'posthog-multiprocess-fleet-file-'))
  let run = 0
  afterAll(() => rmSync(directory, { recursive: true, force: true }))
  freshnessScenarios(() => ({ provider: 'file', key: `fleet-file-${process.pid}-${run++}`, directory }))
})
