// Shared pieces of the provider integration tests: sample definitions, a recording logger, unique names.
import { randomBytes } from 'node:crypto'
import type { FlagDefinitionCacheData } from '../../../src/experimental'
import { cacheDefinitions, flagDefinition } from '../../helpers/definitions'

/** One flag with a condition, a payload, a group type and a cohort: every part a provider must store. */
export function sampleDefinitions(marker = 'a'): FlagDefinitionCacheData {
  const filters = {
    groups: [{ properties: [{ key: 'email', type: 'person', value: '@example.com', operator: 'icontains' }] }],
    payloads: { true: '{"owner":"alice@example.com"}' },
  }
  return cacheDefinitions([flagDefinition(`flag-${marker}`, filters, { name: `flag ${marker}` })], {
    groupTypeMapping: { '0': 'company' },
    cohorts: { '7': { type: 'AND', values: [{ key: 'plan', type: 'person', value: 'pro' }] } },
  })
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
