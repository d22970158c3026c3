// Shared pieces of the provider integration tests: sample definitions, a recording logger, unique names.
import { randomBytes } from 'node:crypto'
import type { FlagDefinitionCacheData } from '../../../src/experimental'

export function sampleDefinitions(marker = 'a'): FlagDefinitionCacheData {
  return {
    flags: [
      {
        id: 1,
        name: `flag ${marker}`,
        key: `flag-${marker}`,
        active: true,
        deleted: false,
        rollout_percentage: null,
        ensure_experience_continuity: false,
        experiment_set: [],
        filters: {
          groups: [{ properties: [{ key: 'email', type: 'person', value: '@example.com', operator: 'icontains' }] }],
          payloads: { true: '{"owner":"alice@example.com"}' },
        },
      },
    ],
    groupTypeMapping: { '0': 'company' },
    cohorts: { '7': { type: 'AND', values: [{ key: 'plan', type: 'person', value: 'pro' }] } },
  }
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`
}

export class RecordingLogger {
  readonly warnings: string[] = []
  warn(message: string): void {
    this.warnings.push(message)
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
