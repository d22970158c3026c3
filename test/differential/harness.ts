// Runs one generated scenario through two clients, this package's `PostHog` and upstream's, both loading the same
// definitions from one nock mock of `GET /api/feature_flag/local_evaluation`, and lists every difference.
import nock from 'nock'
import type { Context, Scenario } from './generator'

/** The part of the client API the comparison drives (both clients have it). */
export interface FlagClient {
  getFeatureFlag(key: string, distinctId: string, options?: Record<string, unknown>): Promise<unknown>
  getFeatureFlagPayload(
    key: string,
    distinctId: string,
    matchValue?: unknown,
    options?: Record<string, unknown>
  ): Promise<unknown>
  getAllFlags(distinctId: string, options?: Record<string, unknown>): Promise<Record<string, unknown>>
  getAllFlagsAndPayloads(
    distinctId: string,
    options?: Record<string, unknown>
  ): Promise<{ featureFlags?: Record<string, unknown>; featureFlagPayloads?: Record<string, unknown> }>
  on(event: 'error', listener: (error: unknown) => void): unknown
  shutdown(timeoutMs?: number): Promise<void>
}

export type ClientFactory = (apiKey: string, options: Record<string, unknown>) => FlagClient

export interface Mismatch {
  seed: number
  call: string
  context: Context
  ours: string
  upstream: string
}

export interface ScenarioReport {
  comparisons: number
  /** How many agreeing answers were neither `undefined` nor a rejection (the evaluator really answered). */
  answered: number
  /** Every distinct agreeing answer text, counted (shows what the generator exercises). */
  answers: Map<string, number>
  mismatches: Mismatch[]
}

/** A canonical text for any result, distinguishing undefined, null, NaN, Dates and key order-free objects. */
export function canonical(value: unknown): string {
  if (value === undefined) return 'undefined'
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : (JSON.stringify(value) ?? String(value))
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? String(value)
  if (value instanceof Date) return `Date(${value.getTime()})`
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  const entries = Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
  return `{${entries.join(',')}}`
}

/** Settles a call into a comparable text; whether it rejected matters, the error text does not. */
async function settle(call: () => Promise<unknown>, errors: { count: number }): Promise<string> {
  const before = errors.count
  let text: string
  try {
    text = canonical(await call())
  } catch {
    text = 'rejected'
  }
  return errors.count > before ? `${text} +error event` : text
}

let hostCounter = 0

export async function runScenario(
  scenario: Scenario,
  ours: ClientFactory,
  upstream: ClientFactory,
  options: { payloadsWithMatchValue?: boolean; singleFlagCallsOnly?: boolean } = {}
): Promise<ScenarioReport> {
  const host = `https://diff-${process.pid}-${hostCounter++}.posthog.test`
  const scope = nock(host)
    .persist()
    .get('/api/feature_flag/local_evaluation')
    .query((query) => query.token === 'phc_diff' && 'send_cohorts' in query)
    .reply(200, scenario.body)
  const clientOptions = {
    host,
    personalApiKey: 'phx_diff',
    featureFlagsPollingInterval: 600000,
    fetchRetryCount: 0,
    flushAt: 1000,
    flushInterval: 0,
  }
  const clients = { ours: ours('phc_diff', { ...clientOptions }), upstream: upstream('phc_diff', { ...clientOptions }) }
  const errors = { ours: { count: 0 }, upstream: { count: 0 } }
  clients.ours.on('error', () => errors.ours.count++)
  clients.upstream.on('error', () => errors.upstream.count++)

  const mismatches: Mismatch[] = []
  const answers = new Map<string, number>()
  let comparisons = 0
  let answered = 0
  const compare = async (
    call: string,
    context: Context,
    run: (client: FlagClient) => Promise<unknown>
  ): Promise<void> => {
    comparisons++
    const a = await settle(() => run(clients.ours), errors.ours)
    const b = await settle(() => run(clients.upstream), errors.upstream)
    if (a !== b) mismatches.push({ seed: scenario.seed, call, context, ours: a, upstream: b })
    else {
      if (a !== 'undefined' && a !== 'rejected') answered++
      const kind = `${call.replace(/\(.*$/, '')}: ${a.length > 60 ? `${a.slice(0, 60)}...` : a}`
      answers.set(kind, (answers.get(kind) ?? 0) + 1)
    }
  }

  try {
    for (const context of scenario.contexts) {
      const flagOptions = {
        groups: context.groups,
        personProperties: context.personProperties,
        groupProperties: context.groupProperties,
        onlyEvaluateLocally: true,
        sendFeatureFlagEvents: false,
      }
      for (const key of scenario.keys) {
        await compare(`getFeatureFlag(${key})`, context, (client) =>
          client.getFeatureFlag(key, context.distinctId, { ...flagOptions })
        )
        await compare(`getFeatureFlagPayload(${key})`, context, (client) =>
          client.getFeatureFlagPayload(key, context.distinctId, undefined, { ...flagOptions })
        )
        if (options.payloadsWithMatchValue) {
          for (const matchValue of [true, false, 'variant-0', 'variant-1']) {
            await compare(`getFeatureFlagPayload(${key}, ${String(matchValue)})`, context, (client) =>
              client.getFeatureFlagPayload(key, context.distinctId, matchValue, { ...flagOptions })
            )
          }
        }
      }
      if (options.singleFlagCallsOnly) continue
      const allOptions = {
        groups: context.groups,
        personProperties: context.personProperties,
        groupProperties: context.groupProperties,
        onlyEvaluateLocally: true,
      }
      await compare('getAllFlags', context, (client) => client.getAllFlags(context.distinctId, { ...allOptions }))
      await compare('getAllFlagsAndPayloads', context, (client) =>
        client.getAllFlagsAndPayloads(context.distinctId, { ...allOptions })
      )
      const someKeys = scenario.keys.filter((_, index) => index % 2 === 0)
      await compare(`getAllFlags(flagKeys: ${someKeys.join(',')})`, context, (client) =>
        client.getAllFlags(context.distinctId, { ...allOptions, flagKeys: someKeys })
      )
    }
  } finally {
    await Promise.all([clients.ours.shutdown(1000), clients.upstream.shutdown(1000)])
    scope.persist(false)
    nock.removeInterceptor({ hostname: new URL(host).hostname, path: '/api/feature_flag/local_evaluation' })
  }
  return { comparisons, answered, answers, mismatches }
}

/** A failure report that is enough to replay the case. */
export function describeMismatch(mismatch: Mismatch, scenario: Scenario): string {
  const flagKey = /\(([^,)]+)/.exec(mismatch.call)?.[1]
  const flag = scenario.body.flags.find((candidate) => candidate.key === flagKey)
  return [
    `seed ${mismatch.seed} (replay: DIFF_SEED=${mismatch.seed} npx jest --selectProjects differential)`,
    `call: ${mismatch.call}`,
    `ours:     ${mismatch.ours}`,
    `upstream: ${mismatch.upstream}`,
    `context: ${canonical(mismatch.context)}`,
    ...(flag ? [`flag: ${JSON.stringify(flag)}`] : []),
    `cohorts: ${JSON.stringify(scenario.body.cohorts)}`,
    `all flags: ${JSON.stringify(scenario.body.flags)}`,
  ].join('\n')
}
