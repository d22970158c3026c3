import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { coordinationScenarios } from './helpers/scenarios'

describe('FileFlagDefinitionCache across processes', () => {
  const directory = mkdtempSync(join(tmpdir(), 'posthog-multiprocess-file-'))
  let run = 0
  afterAll(() => rmSync(directory, { recursive: true, force: true }))

  // A new key per test: each scenario starts from an empty cache.
  coordinationScenarios(() => ({ provider: 'file', key: `multiprocess-file-${process.pid}-${run++}`, directory }))
})
