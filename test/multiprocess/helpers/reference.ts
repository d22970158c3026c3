// What the flags must evaluate to: the upstream 5.13.2 package (the test oracle) evaluating the same definitions
// locally, against its own stand-in so that its requests never count toward the fleet's.
import * as upstream from 'posthog-node-upstream'
import { DEFAULT_DEFINITIONS, start } from '../../../tools/posthog-stand-in.cjs'

const PEOPLE = Array.from({ length: 10 }, (_, i) => ({
  id: `user-${i}`,
  properties: { email: i % 2 === 0 ? `user-${i}@example.com` : `user-${i}@other.org`, sessions_last_week: i * 3 },
}))

export async function referenceEvaluation(
  definitions: unknown = DEFAULT_DEFINITIONS
): Promise<Record<string, Record<string, unknown>>> {
  const api = await start({ definitions })
  const { PostHog } = upstream
  const client = new PostHog('phc_reference', { host: api.url, personalApiKey: 'phx_reference', flushAt: 1000 })
  try {
    const result: Record<string, Record<string, unknown>> = {}
    for (const person of PEOPLE) {
      result[person.id] = await client.getAllFlags(person.id, {
        personProperties: person.properties as unknown as Record<string, string>,
        onlyEvaluateLocally: true,
      })
    }
    return result
  } finally {
    await client.shutdown(1000)
    await api.close()
  }
}
