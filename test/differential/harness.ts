// Runs one generated scenario through three clients that load the same definitions from nock mocks of the PostHog
// API: this package's `PostHog`, upstream 5.50.0 (the oracle for local answers) and upstream 5.13.2 (the oracle for
// everything that leaves the process). The rule it checks:
// - local answers (onlyEvaluateLocally) equal 5.50.0's;
// - with remote fallback allowed, the answer, the `/flags` request bodies and the captured events equal 5.13.2's
//   for every call on which 5.13.2 and 5.50.0 agree locally (elsewhere 5.13.2's fallback follows its own bugs).
import nock from 'nock'
import type { Context, Scenario } from './generator'

/** The part of the client API the comparison drives (all three clients have it). */
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

export interface Oracles {
  ours: ClientFactory
  /** posthog-node 5.50.0: local answers. */
  latest: ClientFactory
  /** posthog-node 5.13.2: remote calls, request bodies, events. */
  upstream: ClientFactory
}

export interface Mismatch {
  seed: number
  /** 'local': against 5.50.0; 'remote': against 5.13.2. */
  rule: 'local' | 'remote'
  call: string
  context: Context
  ours: string
  expected: string
}

export interface ScenarioReport {
  comparisons: number
  /** Remote comparisons made (calls on which 5.13.2 and 5.50.0 agreed locally). */
  remoteComparisons: number
  /** How many agreeing local answers were neither `undefined` nor a rejection (the evaluator really answered). */
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

const VOLATILE = new Set(['uuid', 'timestamp', 'sent_at', '$feature_flag_evaluated_at'])

function stripVolatile(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripVolatile)
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {}
    for (const [key, inner] of Object.entries(value)) if (!VOLATILE.has(key)) out[key] = stripVolatile(inner)
    return out
  }
  return value
}

/** What the remote-allowed client answers to every `/flags` request: a fixed value per flag key. */
function flagsReply(keys: readonly string[]): Record<string, unknown> {
  const flags: Record<string, unknown> = {}
  keys.forEach((key, index) => {
    const kind = index % 3
    flags[key] = {
      key,
      enabled: kind !== 0,
      variant: kind === 2 ? 'remote-variant' : null,
      reason: { code: 'condition_match', description: 'Matched condition set 1', condition_index: 0 },
      metadata: { id: index + 1, version: 3, payload: kind === 1 ? '{"remote":true}' : undefined },
    }
  })
  return { flags, errorsWhileComputingFlags: false, requestId: 'diff-request' }
}

/** One client on its own host: the definitions endpoints of both API generations, and `/flags` when remote. */
interface Driven {
  client: FlagClient
  errors: { count: number }
  /** Bodies of `/flags` requests, in order. */
  flagsBodies: unknown[]
  /** Events as `before_send` saw them, in order. */
  events: unknown[]
  host: string
}

let hostCounter = 0

function drive(factory: ClientFactory, scenario: Scenario, remote: boolean): Driven {
  const host = `https://diff-${process.pid}-${hostCounter++}.posthog.test`
  const driven: Driven = {
    client: undefined as unknown as FlagClient,
    errors: { count: 0 },
    flagsBodies: [],
    events: [],
    host,
  }
  const scope = nock(host).persist()
  scope
    .get((uri) => uri.startsWith('/api/feature_flag/local_evaluation') || uri.startsWith('/flags/definitions'))
    .query(true)
    .reply(200, scenario.body)
  if (remote) {
    scope
      .post((uri) => uri.startsWith('/flags/'))
      .reply(200, (_uri, body) => {
        driven.flagsBodies.push(stripVolatile(typeof body === 'string' ? JSON.parse(body) : body))
        return flagsReply(scenario.keys)
      })
    scope.post((uri) => uri.startsWith('/batch')).reply(200, {})
  }
  driven.client = factory('phc_diff', {
    host,
    personalApiKey: 'phx_diff',
    featureFlagsPollingInterval: 600000,
    fetchRetryCount: 0,
    flushAt: 1000,
    flushInterval: 0,
    disableCompression: true,
    before_send: (event: unknown) => {
      driven.events.push(stripVolatile(event))
      return null
    },
  })
  driven.client.on('error', () => driven.errors.count++)
  return driven
}

async function release(driven: Driven): Promise<void> {
  await driven.client.shutdown(1000)
  nock.removeInterceptor({ hostname: new URL(driven.host).hostname, path: '/api/feature_flag/local_evaluation' })
}

/** Lets a client's pending capture chains reach `before_send`. */
const settleEvents = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve))
}

/**
 * An unexpected failure while evaluating: 5.50.0's getFeatureFlag rejects, 5.13.2's (and ours) reports it on the
 * 'error' channel and answers undefined. How a failure is reported is public API, which stays 5.13.2's.
 */
const sameFailure = (call: string, ours: string, latest: string): boolean =>
  call.startsWith('getFeatureFlag(') && latest === 'rejected' && ours === 'undefined +error event'

export interface RunOptions {
  payloadsWithMatchValue?: boolean
  /** How many of the scenario's contexts also run with remote fallback allowed (0: none). */
  remoteContexts?: number
}

type Call = { name: string; run: (client: FlagClient) => Promise<unknown> }

function callsFor(scenario: Scenario, context: Context, options: RunOptions, local: boolean): Call[] {
  const base = {
    groups: context.groups,
    personProperties: context.personProperties,
    groupProperties: context.groupProperties,
    ...(local ? { onlyEvaluateLocally: true } : {}),
  }
  const calls: Call[] = []
  for (const key of scenario.keys) {
    calls.push({
      name: `getFeatureFlag(${key})`,
      run: (client) =>
        client.getFeatureFlag(key, context.distinctId, { ...base, ...(local ? { sendFeatureFlagEvents: false } : {}) }),
    })
    calls.push({
      name: `getFeatureFlagPayload(${key})`,
      run: (client) => client.getFeatureFlagPayload(key, context.distinctId, undefined, { ...base }),
    })
    if (options.payloadsWithMatchValue && local) {
      for (const matchValue of [true, false, 'variant-0', 'variant-1']) {
        calls.push({
          name: `getFeatureFlagPayload(${key}, ${String(matchValue)})`,
          run: (client) => client.getFeatureFlagPayload(key, context.distinctId, matchValue, { ...base }),
        })
      }
    }
  }
  const someKeys = scenario.keys.filter((_, index) => index % 2 === 0)
  calls.push(
    { name: 'getAllFlags', run: (client) => client.getAllFlags(context.distinctId, { ...base }) },
    { name: 'getAllFlagsAndPayloads', run: (client) => client.getAllFlagsAndPayloads(context.distinctId, { ...base }) },
    {
      name: `getAllFlags(flagKeys: ${someKeys.join(',')})`,
      run: (client) => client.getAllFlags(context.distinctId, { ...base, flagKeys: someKeys }),
    }
  )
  return calls
}

export async function runScenario(
  scenario: Scenario,
  oracles: Oracles,
  options: RunOptions = {}
): Promise<ScenarioReport> {
  const mismatches: Mismatch[] = []
  const answers = new Map<string, number>()
  let comparisons = 0
  let remoteComparisons = 0
  let answered = 0
  /** `${contextIndex} ${call}` of the calls on which 5.13.2 and 5.50.0 agree locally. */
  const agreed = new Set<string>()

  const local = [
    drive(oracles.ours, scenario, false),
    drive(oracles.latest, scenario, false),
    drive(oracles.upstream, scenario, false),
  ]
  try {
    for (const [index, context] of scenario.contexts.entries()) {
      for (const call of callsFor(scenario, context, options, true)) {
        // 5.50.0 answers every all-flags call without a distinct id with {} before evaluating anything: an API
        // change (it resolves the id from a context), not local semantics, and the public API stays 5.13.2's.
        if (context.distinctId === '' && call.name.startsWith('getAllFlags')) continue
        comparisons++
        const [ours, latest, upstream] = [
          await settle(() => call.run(local[0].client), local[0].errors),
          await settle(() => call.run(local[1].client), local[1].errors),
          await settle(() => call.run(local[2].client), local[2].errors),
        ]
        if (latest === upstream) agreed.add(`${index} ${call.name}`)
        if (ours !== latest && !sameFailure(call.name, ours, latest)) {
          mismatches.push({ seed: scenario.seed, rule: 'local', call: call.name, context, ours, expected: latest })
        } else {
          if (ours !== 'undefined' && ours !== 'rejected') answered++
          const kind = `${call.name.replace(/\(.*$/, '')}: ${ours.length > 60 ? `${ours.slice(0, 60)}...` : ours}`
          answers.set(kind, (answers.get(kind) ?? 0) + 1)
        }
      }
    }
  } finally {
    await Promise.all(local.map(release))
  }

  const remoteCount = Math.min(options.remoteContexts ?? 0, scenario.contexts.length)
  if (remoteCount === 0) return { comparisons, remoteComparisons, answered, answers, mismatches }
  const remote = [drive(oracles.ours, scenario, true), drive(oracles.upstream, scenario, true)]
  try {
    for (let index = 0; index < remoteCount; index++) {
      const context = scenario.contexts[index]
      for (const call of callsFor(scenario, context, options, false)) {
        const texts: string[] = []
        for (const driven of remote) {
          // Each call starts with no `$feature_flag_called` memory, so an earlier call on which the oracles
          // disagreed cannot decide whether this one sends its event.
          ;(
            driven.client as unknown as { distinctIdHasSentFlagCalls: Record<string, string[]> }
          ).distinctIdHasSentFlagCalls = {}
          const bodies = driven.flagsBodies.length
          const events = driven.events.length
          const answer = await settle(() => call.run(driven.client), driven.errors)
          await settleEvents()
          texts.push(
            `${answer} /flags ${canonical(driven.flagsBodies.slice(bodies))} events ${canonical(driven.events.slice(events))}`
          )
        }
        // Only where both oracles agree locally: elsewhere 5.13.2 falls back (or not) because of its own bugs.
        if (!agreed.has(`${index} ${call.name}`)) continue
        remoteComparisons++
        if (texts[0] !== texts[1]) {
          mismatches.push({
            seed: scenario.seed,
            rule: 'remote',
            call: call.name,
            context,
            ours: texts[0],
            expected: texts[1],
          })
        }
      }
    }
  } finally {
    await Promise.all(remote.map(release))
  }
  return { comparisons, remoteComparisons, answered, answers, mismatches }
}

/** A failure report that is enough to replay the case. */
export function describeMismatch(mismatch: Mismatch, scenario: Scenario): string {
  const flagKey = /\(([^,)]+)/.exec(mismatch.call)?.[1]
  const flag = scenario.body.flags.find((candidate) => candidate.key === flagKey)
  return [
    `seed ${mismatch.seed} (replay: DIFF_SEED=${mismatch.seed} npx jest --selectProjects differential)`,
    `rule: ${mismatch.rule === 'local' ? 'local answer = 5.50.0' : 'remote calls and events = 5.13.2'}`,
    `call: ${mismatch.call}`,
    `ours:     ${mismatch.ours}`,
    `expected: ${mismatch.expected}`,
    `context: ${canonical(mismatch.context)}`,
    ...(flag ? [`flag: ${JSON.stringify(flag)}`] : []),
    `cohorts: ${JSON.stringify(scenario.body.cohorts)}`,
    `all flags: ${JSON.stringify(scenario.body.flags)}`,
  ].join('\n')
}
