// Differential test: this package against upstream posthog-node, through the public clients, on seeded random
// definitions (malformed ones included) and contexts. Local answers must equal 5.50.0's; with remote fallback
// allowed, answers, `/flags` bodies and events must equal 5.13.2's wherever 5.13.2 and 5.50.0 agree locally.
// Replay one scenario with DIFF_SEED=<seed>; change the amount with DIFF_SCENARIOS=<count> (default 300) and the
// first seed with DIFF_FIRST_SEED; DIFF_STATS=1 prints what the agreeing answers were.
import nock from 'nock'
import { PostHog } from '../../src/entrypoints/index.node'
import { generateScenario, type Scenario } from './generator'
import { describeMismatch, runScenario, type FlagClient, type Mismatch, type Oracles } from './harness'

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Upstream = require('posthog-node-upstream').PostHog
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Latest = require('posthog-node-latest').PostHog

const oracles: Oracles = {
  ours: (apiKey, options) => new PostHog(apiKey, options) as unknown as FlagClient,
  latest: (apiKey, options) => new Latest(apiKey, options) as FlagClient,
  upstream: (apiKey, options) => new Upstream(apiKey, options) as FlagClient,
}

const replaySeed = process.env.DIFF_SEED ? Number(process.env.DIFF_SEED) : undefined
const scenarioCount = Number(process.env.DIFF_SCENARIOS ?? 320)
const firstSeed = Number(process.env.DIFF_FIRST_SEED ?? 1)
const seeds = replaySeed !== undefined ? [replaySeed] : Array.from({ length: scenarioCount }, (_, i) => firstSeed + i)

let warn: jest.SpyInstance
beforeAll(() => {
  nock.disableNetConnect()
  // 5.50.0 prints deprecation and continuity warnings; they are not part of the comparison.
  warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined)
})
afterAll(() => {
  warn.mockRestore()
  nock.cleanAll()
  nock.enableNetConnect()
})

test(`local answers match 5.50.0 and remote calls match 5.13.2 on ${seeds.length} generated scenarios`, async () => {
  let comparisons = 0
  let remoteComparisons = 0
  let answered = 0
  const answers = new Map<string, number>()
  const failures: { mismatch: Mismatch; scenario: Scenario }[] = []
  for (const seed of seeds) {
    // Every 7th scenario also gives group flags dependencies (each dependency is a flag of its own, so its value is
    // the same whichever flag asks, and getAllFlags is compared there too).
    const groupDependencies = seed % 7 === 0
    const scenario = generateScenario(seed, { groupDependencies, malformed: seed % 2 === 0 })
    const report = await runScenario(scenario, oracles, {
      payloadsWithMatchValue: seed % 5 === 0,
      // With remote fallback allowed every call costs HTTP round trips: one context of every other scenario.
      remoteContexts: seed % 2 === 1 || replaySeed !== undefined ? 1 : 0,
    })
    comparisons += report.comparisons
    remoteComparisons += report.remoteComparisons
    answered += report.answered
    for (const [answer, count] of report.answers) answers.set(answer, (answers.get(answer) ?? 0) + count)
    for (const mismatch of report.mismatches) failures.push({ mismatch, scenario })
  }
  if (process.env.DIFF_DUMP) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('fs').writeFileSync(
      process.env.DIFF_DUMP,
      failures.map(({ mismatch, scenario }) => JSON.stringify({ ...mismatch, scenario })).join('\n')
    )
  }
  if (failures.length > 0) {
    const byRule = (rule: string): number => failures.filter((f) => f.mismatch.rule === rule).length
    const shown = failures.slice(0, 5).map(({ mismatch, scenario }) => describeMismatch(mismatch, scenario))
    throw new Error(
      `${failures.length} of ${comparisons + remoteComparisons} comparisons differ ` +
        `(${byRule('local')} local, ${byRule('remote')} remote; ` +
        `seeds ${[...new Set(failures.map((f) => f.mismatch.seed))].join(', ')}):\n\n${shown.join('\n\n')}`
    )
  }
  if (process.env.DIFF_STATS) {
    const lines = [...answers].sort((a, b) => b[1] - a[1]).map(([answer, count]) => `${count}\t${answer}`)
    console.log(
      `${comparisons} local comparisons (${answered} answered), ${remoteComparisons} remote\n${lines.join('\n')}`
    )
  }
  // Guards against a generator or harness that silently compares nothing.
  expect(comparisons).toBeGreaterThan(seeds.length * 10)
  expect(remoteComparisons).toBeGreaterThan(seeds.length * 2)
  if (replaySeed === undefined) expect(answered).toBeGreaterThan(comparisons / 4)
}, 300000)
