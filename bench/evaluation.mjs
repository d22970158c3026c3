// Local evaluation throughput and memory: this package (built dist) against upstream posthog-node 5.13.2, in one
// process, interleaved, on the same definitions. Both clients load definitions through the `fetch` option (a fresh
// JSON parse per request, as from the network) and evaluate with onlyEvaluateLocally and no flag-called events.
import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'

const require = createRequire(import.meta.url)
// BENCH_DIST points at another build of this package (e.g. a variant being evaluated).
const { PostHog: Ours } = require(process.env.BENCH_DIST ?? '../dist/entrypoints/index.node.js')
const { PostHog: Upstream } = require('posthog-node-upstream')

const IMPLEMENTATIONS = [
  ['this package', Ours],
  ['upstream 5.13.2', Upstream],
]
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 400)

// ---------------------------------------------------------------------------------------------------------------
// Definitions: mixed conditions (person properties of every common operator, cohorts, multivariate flags with
// overrides, partial rollouts, a few group flags and flag dependencies), all decidable locally for the contexts below.

function rng(seed) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function buildDefinitions(flagCount, seed = 42) {
  const random = rng(seed)
  const pick = (items) => items[Math.floor(random() * items.length)]
  const propertyConditions = [
    () => ({ key: 'email', operator: 'icontains', value: pick(['posthog.com', 'example', '@']), type: 'person' }),
    () => ({ key: 'plan', operator: 'exact', value: pick([['pro', 'enterprise'], 'free', ['team']]), type: 'person' }),
    () => ({ key: 'age', operator: pick(['gt', 'lt', 'gte']), value: pick([18, '30', 65]), type: 'person' }),
    () => ({ key: 'country', operator: 'is_not', value: pick(['US', ['DE', 'FR']]), type: 'person' }),
    () => ({ key: 'email', operator: 'regex', value: pick(['^[a-m]', '@(posthog|example)\\.com$']), type: 'person' }),
    () => ({ key: 'signup', operator: 'is_date_after', value: pick(['30d', '2023-01-01', '-1y']), type: 'person' }),
    () => ({ key: 'beta', operator: 'is_set', value: 'is_set', type: 'person' }),
    () => ({ key: 'id', type: 'cohort', value: pick([1, 2, 3]) }),
  ]
  const flags = []
  for (let i = 0; i < flagCount; i++) {
    const key = `flag-${i}-${pick(['checkout', 'onboarding', 'pricing', 'search', 'dashboard'])}`
    const multivariate =
      random() < 0.3
        ? {
            variants: [
              { key: 'control', rollout_percentage: 50 },
              { key: 'test', rollout_percentage: 30 },
              { key: 'test-2', rollout_percentage: 20 },
            ],
          }
        : null
    const groups = []
    const conditionCount = 1 + Math.floor(random() * 3)
    for (let c = 0; c < conditionCount; c++) {
      const properties = []
      for (let p = Math.floor(random() * 3); p > 0; p--) properties.push(pick(propertyConditions)())
      if (i > 5 && random() < 0.08) {
        const target = flags[Math.floor(random() * flags.length)]
        if (target.filters.aggregation_group_type_index == null) {
          properties.push({
            key: target.key,
            type: 'flag',
            value: true,
            operator: 'flag_evaluates_to',
            dependency_chain: [target.key],
          })
        }
      }
      groups.push({
        properties,
        rollout_percentage: pick([100, 50, 20, 75, null]),
        ...(multivariate && random() < 0.2 ? { variant: 'test' } : {}),
      })
    }
    const isGroup = random() < 0.1
    flags.push({
      id: i + 1,
      name: `Flag ${i}`,
      key,
      active: random() > 0.05,
      deleted: false,
      rollout_percentage: null,
      ensure_experience_continuity: false,
      experiment_set: [],
      filters: {
        aggregation_group_type_index: isGroup ? 0 : null,
        groups: isGroup ? [{ properties: [], rollout_percentage: 50 }] : groups,
        multivariate,
        payloads: random() < 0.3 ? { true: JSON.stringify({ discount: i, copy: `Variant copy for ${key}` }) } : {},
      },
    })
  }
  const cohorts = {
    1: {
      type: 'OR',
      values: [{ type: 'AND', values: [{ key: 'plan', operator: 'exact', value: 'pro', type: 'person' }] }],
    },
    2: {
      type: 'AND',
      values: [
        { key: 'country', operator: 'exact', value: ['US', 'GB', 'DE'], type: 'person' },
        { key: 'age', operator: 'gte', value: 18, type: 'person', negation: false },
      ],
    },
    3: { type: 'OR', values: [{ key: 'email', operator: 'icontains', value: 'posthog', type: 'person' }] },
  }
  return { flags, group_type_mapping: { 0: 'company' }, cohorts }
}

/**
 * The same definitions with no two conditions alike (every target value and rollout made unique), so that
 * sharing identical conditions cannot help: the worst case for this package's memory.
 */
function withUniqueConditions(body) {
  const copy = JSON.parse(JSON.stringify(body))
  let n = 0
  for (const flag of copy.flags) {
    for (const condition of flag.filters.groups) {
      condition.rollout_percentage = (n++ % 97) + 0.5
      for (const property of condition.properties) {
        if (property.type !== 'person') continue
        const value = property.value
        property.value = Array.isArray(value)
          ? [...value, `u${n++}`]
          : typeof value === 'string'
            ? `${value}${n++}`
            : value + n++
      }
    }
  }
  return copy
}

const PLANS = ['free', 'pro', 'enterprise', 'team']
const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'BR']
function context(i) {
  return {
    distinctId: `user-${i}`,
    options: {
      onlyEvaluateLocally: true,
      sendFeatureFlagEvents: false,
      groups: { company: `company-${i % 97}` },
      personProperties: {
        email: `user${i}@${i % 3 === 0 ? 'posthog.com' : 'example.com'}`,
        plan: PLANS[i % PLANS.length],
        age: 15 + (i % 60),
        country: COUNTRIES[i % COUNTRIES.length],
        signup: new Date(Date.UTC(2022, 0, 1) + (i % 1000) * 86400000).toISOString(),
        beta: i % 2 === 0,
      },
    },
  }
}
const CONTEXTS = Array.from({ length: 2000 }, (_, i) => context(i))

// ---------------------------------------------------------------------------------------------------------------

/** A `fetch` serving `body`; the JSON text is made once per body so that clients do not each hold a copy. */
const texts = new WeakMap()
function fetchServing(body) {
  if (!texts.has(body)) texts.set(body, JSON.stringify(body))
  const text = texts.get(body)
  return async () => ({ status: 200, json: async () => JSON.parse(text), text: async () => text })
}

async function loadedClient(Client, body) {
  const client = new Client('phc_bench', {
    host: 'https://bench.posthog.invalid',
    personalApiKey: 'phx_bench',
    featureFlagsPollingInterval: 3600000,
    fetch: fetchServing(body),
    flushAt: 100000,
    flushInterval: 0,
  })
  client.on?.('error', (error) => {
    throw error
  })
  // The first call waits for the definitions to load.
  await client.getFeatureFlag('warm-up', 'warm-up', { onlyEvaluateLocally: true, sendFeatureFlagEvents: false })
  return client
}

/** Calls per second of `call` over about ROUND_MS, awaiting each call (as an application does). */
async function measure(call, keys, inputs) {
  let calls = 0
  let i = 0
  const start = performance.now()
  let elapsed = 0
  while (elapsed < ROUND_MS) {
    for (let batch = 0; batch < 50; batch++) {
      await call(CONTEXTS[i % inputs], keys[i % keys.length])
      i++
      calls++
    }
    elapsed = performance.now() - start
  }
  return (calls / elapsed) * 1000
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const format = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1))

/**
 * The inputs every measurement cycles through: (context, key) pairs for getFeatureFlag, contexts for getAllFlags.
 * Both implementations are checked to answer the same on every one of them before anything is timed.
 */
const FLAG_INPUTS = 2000
const ALL_FLAGS_INPUTS = 200

async function assertAgreement(clients, keys) {
  const text = (value) => JSON.stringify(value && typeof value === 'object' ? Object.entries(value).sort() : value)
  for (let i = 0; i < FLAG_INPUTS; i++) {
    const { distinctId, options } = CONTEXTS[i]
    const key = keys[i % keys.length]
    const answers = await Promise.all(clients.map(({ client }) => client.getFeatureFlag(key, distinctId, options)))
    if (answers.some((answer) => answer === undefined) || text(answers[0]) !== text(answers[1])) {
      throw new Error(`getFeatureFlag(${key}, ${distinctId}): ${answers.map(text).join(' vs ')}`)
    }
  }
  for (let i = 0; i < ALL_FLAGS_INPUTS; i++) {
    const { distinctId, options } = CONTEXTS[i]
    const answers = await Promise.all(clients.map(({ client }) => client.getAllFlags(distinctId, options)))
    if (text(answers[0]) !== text(answers[1])) throw new Error(`getAllFlags(${distinctId}): the answers differ`)
  }
}

async function throughput(flagCount) {
  const body = buildDefinitions(flagCount)
  const keys = body.flags.map((flag) => flag.key)
  const clients = []
  for (const [name, Client] of IMPLEMENTATIONS) clients.push({ name, client: await loadedClient(Client, body) })

  // Both must give the same answers on exactly the inputs timed below, or the comparison means nothing.
  await assertAgreement(clients, keys)

  const calls = {
    getFeatureFlag: [(client) => (ctx, key) => client.getFeatureFlag(key, ctx.distinctId, ctx.options), FLAG_INPUTS],
    getAllFlags: [(client) => (ctx) => client.getAllFlags(ctx.distinctId, ctx.options), ALL_FLAGS_INPUTS],
  }
  const results = []
  for (const [callName, [makeCall, inputs]] of Object.entries(calls)) {
    const samples = new Map(clients.map(({ name }) => [name, []]))
    for (let round = 0; round < ROUNDS; round++) {
      // Interleaved: each round measures every implementation once, alternating who goes first.
      const order = round % 2 === 0 ? clients : [...clients].reverse()
      for (const { name, client } of order) samples.get(name).push(await measure(makeCall(client), keys, inputs))
    }
    const ours = median(samples.get(clients[0].name))
    const theirs = median(samples.get(clients[1].name))
    results.push({ flagCount, callName, ours, theirs })
  }
  for (const { client } of clients) await client.shutdown(1000)
  return results
}

// ---------------------------------------------------------------------------------------------------------------

function heapUsed() {
  for (let i = 0; i < 4; i++) globalThis.gc()
  return process.memoryUsage().heapUsed
}

/**
 * Heap held per client with these definitions loaded, minus the same number of clients loaded with no flags:
 * several interleaved samples, median.
 */
async function memoryPerDefinitionSet(Client, body, clientCount) {
  const empty = { flags: [], group_type_mapping: {}, cohorts: {} }
  const perClient = async (definitions) => {
    const before = heapUsed()
    const clients = []
    for (let i = 0; i < clientCount; i++) clients.push(await loadedClient(Client, definitions))
    const after = heapUsed()
    for (const client of clients) await client.shutdown(1000)
    return (after - before) / clientCount
  }
  const samples = []
  for (let i = 0; i < 5; i++) samples.push((await perClient(body)) - (await perClient(empty)))
  return median(samples)
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
  if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc (node bench/run.mjs does)')
  console.log(`node ${process.version}, ${ROUNDS} interleaved rounds of ~${ROUND_MS} ms per measurement, median shown`)
  console.log('')
  console.log(
    `throughput (calls/s, onlyEvaluateLocally, no flag-called events; getFeatureFlag cycles through ${FLAG_INPUTS} ` +
      `(id, flag) pairs, getAllFlags through ${ALL_FLAGS_INPUTS} ids, on each of which both answer the same)`
  )
  console.log('flags  call            this package     upstream   ratio')
  for (const flagCount of [50, 500]) {
    for (const { callName, ours, theirs } of await throughput(flagCount)) {
      console.log(
        `${String(flagCount).padStart(5)}  ${callName.padEnd(14)} ${format(ours).padStart(13)} ${format(theirs).padStart(12)}  ${(ours / theirs).toFixed(1)}x`
      )
    }
  }
  console.log('')
  console.log('memory per loaded definition set (heap delta per client against clients with no flags, median of 5)')
  console.log('flags                          this package     upstream   ratio')
  const sets = [
    ['50', buildDefinitions(50), 40],
    ['500', buildDefinitions(500), 10],
    ['500 (no two conditions alike)', withUniqueConditions(buildDefinitions(500)), 10],
  ]
  for (const [label, body, clientCount] of sets) {
    const ours = await memoryPerDefinitionSet(Ours, body, clientCount)
    const theirs = await memoryPerDefinitionSet(Upstream, body, clientCount)
    const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`
    console.log(
      `${label.padEnd(31)}${kb(ours).padStart(12)} ${kb(theirs).padStart(12)}  ${(ours / theirs).toFixed(2)}x`
    )
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
