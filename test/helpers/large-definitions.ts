// Definitions of a given size that gzip cannot shrink much (random base64 in every flag): large entries that a
// store must split (DynamoDB items stop at 400 KB).
import { randomBytes } from 'node:crypto'
import type { FlagDefinitionCacheData } from '../../src/experimental'
import { sampleDefinitions } from '../integration/providers/fixtures'

/** About `bytes` of JSON that gzip cannot shrink much (random base64 in every flag), so it must be chunked. */
export function largeDefinitions(bytes: number, marker = 'large'): FlagDefinitionCacheData {
  const base = sampleDefinitions(marker)
  const template = base.flags[0]
  const count = Math.ceil(bytes / 2200)
  base.flags = Array.from({ length: count }, (_, i) => ({
    ...template,
    id: i + 1,
    key: `${marker}-${i}`,
    filters: {
      groups: [
        {
          properties: [
            { key: 'token', type: 'person', value: randomBytes(1500).toString('base64'), operator: 'exact' },
          ],
        },
      ],
    },
  }))
  return base
}
