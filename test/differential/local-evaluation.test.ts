// Differential test: this package's local evaluation against upstream posthog-node 5.13.2, through both public
// clients, on seeded random definitions and contexts. Replay one scenario with DIFF_SEED=<seed>; change the amount
// with DIFF_SCENARIOS=<count> (default 300) and the first seed with DIFF_FIRST_SEED.
import nock from 'nock'
import { PostHog } from '../../src/entrypoints/index.node'
import { generateScenario, type Scenario } from './generator'
import { describeMismatch, runScenario, type ClientFactory, type FlagClient, type Mismatch } from './harness'

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Upstream = require('posthog-node-upstream').PostHog

const ours: ClientFactory = (apiKey, options) => new PostHog(apiKey, options) as unknown as FlagClient
const upstream: ClientFactory = (apiKey, options) => new Upstream(apiKey, options) as FlagClient

const replaySeed = process.env.DIFF_SEED ? Number(process.env.DIFF_SEED) : undefined
const scenarioCount = Number(process.env.DIFF_SCENARIOS ?? 300)
const firstSeed = Number(process.env.DIFF_FIRST_SEED ?? 1)
const seeds = replaySeed !== undefined ? [replaySeed] : Array.from({ length: scenarioCount }, (_, i) => firstSeed + i)

beforeAll(() => {
  nock.disableNetConnect()
})
afterAll(() => {
  nock.cleanAll()
  nock.enableNetConnect()
})

test(`local evaluation matches upstream 5.13.2 on ${seeds.length} generated scenarios`, async () => {
  let comparisons = 0
  let answered = 0
  const answers = new Map<string, number>()
  const failures: { mismatch: Mismatch; scenario: Scenario }[] = []
  for (const seed of seeds) {
    // Every 7th scenario also gives group flags dependencies; getAllFlags is not compared there (see the generator).
    const groupDependencies = seed % 7 === 0
    const scenario = generateScenario(seed, { groupDependencies })
    const report = await runScenario(scenario, ours, upstream, {
      payloadsWithMatchValue: seed % 5 === 0,
      singleFlagCallsOnly: groupDependencies,
    })
    comparisons += report.comparisons
    answered += report.answered
    for (const [answer, count] of report.answers) answers.set(answer, (answers.get(answer) ?? 0) + count)
    for (const mismatch of report.mismatches) failures.push({ mismatch, scenario })
  }
  if (failures.length > 0) {
    const shown = failures.slice(0, 5).map(({ mismatch, scenario }) => describeMismatch(mismatch, scenario))
    throw new Error(
      `${failures.length} of ${comparisons} comparisons differ from upstream ` +
        `(seeds ${[...new Set(failures.map((f) => f.mismatch.seed))].join(', ')}):\n\n${shown.join('\n\n')}`
    )
  }
  if (process.env.DIFF_STATS) {
    const lines = [...answers].sort((a, b) => b[1] - a[1]).map(([answer, count]) => `${count}\t${answer}`)
    console.log(`${comparisons} comparisons, ${answered} answered\n${lines.join('\n')}`)
  }
  // Guards against a generator or harness that silently compares nothing.
  expect(comparisons).toBeGreaterThan(seeds.length * 10)
  if (replaySeed === undefined) expect(answered).toBeGreaterThan(comparisons / 4)
}, 120000)
