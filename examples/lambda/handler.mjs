// A Lambda function using local evaluation with definitions shared through DynamoDB.
//
// Everything at module scope runs once per container (the cold start) and is reused by every invocation the
// container serves: the DynamoDB client, the provider and the PostHog client. A cold start reads the definitions from
// the table, so it evaluates its first flag without a request to PostHog.
//
// Lambda freezes a container between invocations: the poller's timer does not run while it is frozen, however long
// that is. So an invocation that finds the container's last check older than maxAgeMs reloads first: the provider
// answers from the table while the shared copy is fresh, and lets exactly one container of the fleet fetch from
// PostHog when it is stale. An invocation therefore evaluates with definitions at most about 2 x maxAgeMs old.
//
// Configuration (the environment of the function): POSTHOG_PROJECT_KEY, POSTHOG_PERSONAL_API_KEY, POSTHOG_HOST,
// FLAGS_TABLE, FLAGS_MAX_AGE_MS; the DynamoDB client takes its region and credentials from the Lambda environment.
import * as dynamodb from '@aws-sdk/client-dynamodb'
import { PostHog } from 'posthog-node'
import { DynamoDBFlagDefinitionCache } from 'posthog-node/experimental'

const maxAgeMs = Number(process.env.FLAGS_MAX_AGE_MS ?? 30_000)

const flagDefinitionCacheProvider = new DynamoDBFlagDefinitionCache(new dynamodb.DynamoDBClient({}), {
  key: process.env.POSTHOG_PROJECT_KEY,
  commands: dynamodb,
  table: process.env.FLAGS_TABLE ?? 'posthog_flag_definitions',
  maxAgeMs,
  // Lambda bills the wait: give up on the table quickly and fetch instead.
  timeoutMs: 1_000,
})

const posthog = new PostHog(process.env.POSTHOG_PROJECT_KEY, {
  host: process.env.POSTHOG_HOST,
  personalApiKey: process.env.POSTHOG_PERSONAL_API_KEY,
  featureFlagsPollingInterval: maxAgeMs,
  flagDefinitionCacheProvider,
  // Send events at the end of each invocation (below), not on a timer that a frozen container never runs.
  flushAt: 1,
})

/** When this container last brought its definitions up to date (module scope: kept while the container lives). */
let checkedAt = 0

async function freshDefinitions() {
  if (Date.now() - checkedAt < maxAgeMs) return
  // On a cold start, let the start-up read from the table finish first: it takes the table's copy whatever its age.
  await posthog.waitForLocalEvaluationReady()
  // Fresh in the table: read from it. Stale: exactly one container of the fleet fetches, the others read.
  await posthog.reloadFeatureFlags()
  checkedAt = Date.now()
}

/** Exported only so that the example's driver can see which definitions an invocation used. */
export { posthog }

export async function handler(event) {
  await freshDefinitions()
  const options = { personProperties: event.personProperties ?? {}, onlyEvaluateLocally: true }
  const betaDashboard = await posthog.getFeatureFlag('beta-dashboard', event.distinctId, options)
  const checkout = await posthog.getFeatureFlag('new-checkout', event.distinctId, options)
  await posthog.flush() // before Lambda freezes the container again
  return { statusCode: 200, body: JSON.stringify({ betaDashboard, checkout }) }
}
