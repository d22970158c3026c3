#!/usr/bin/env node
// npm run example: a fleet of worker processes sharing one copy of the flag definitions.
//
// It starts a local stand-in for the PostHog API (which counts definitions requests) and N workers, each running a
// PostHog client with local evaluation and evaluating flags for a stream of users. Once a second it shows what each
// worker evaluated and where its definitions came from; at the end it compares the API requests with what the same
// fleet makes without a shared cache.
//
//   npm run example -- [--provider file|redis|postgres|none] [--workers 4] [--seconds 10] [--interval 2000]
//                      [--redis-url redis://127.0.0.1:6379] [--database-url postgres://...]
import { parseArgs } from 'node:util'
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, runFleet, serverProblem } from './fleet-lib.mjs'

const { values: args } = parseArgs({
  options: {
    provider: { type: 'string', default: 'file' },
    workers: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '10' },
    interval: { type: 'string', default: '2000' },
    'redis-url': { type: 'string', default: DEFAULT_REDIS_URL },
    'database-url': { type: 'string', default: DEFAULT_DATABASE_URL },
    quiet: { type: 'boolean', default: false },
  },
})

function fail(message) {
  console.error(`example: ${message}`)
  process.exit(2)
}
const provider = args.provider
if (!['file', 'redis', 'postgres', 'none'].includes(provider)) fail('--provider must be file, redis, postgres or none')
const workers = Number(args.workers)
const seconds = Number(args.seconds)
const intervalMs = Number(args.interval)
if (!Number.isInteger(workers) || workers < 1 || workers > 64) fail('--workers must be an integer from 1 to 64')
if (!(seconds >= 1 && seconds <= 600)) fail('--seconds must be a number from 1 to 600')
if (!(intervalMs >= 100)) fail('--interval must be at least 100 (milliseconds)')
const urls = { redisUrl: args['redis-url'], databaseUrl: args['database-url'] }
const problem = await serverProblem(provider, urls)
if (problem) fail(problem)

const pad = (value, width) => String(value).padStart(width)
console.log(
  `${workers} workers, provider ${provider}, polling every ${intervalMs} ms, for ${seconds} s ` +
    `(a local stand-in plays the PostHog API)`
)
function show(latest, requests, startedAt) {
  if (args.quiet) return
  const elapsed = Math.round((Date.now() - startedAt) / 1000)
  console.log(`\n[${pad(elapsed, 3)} s] definitions requests to the API so far: ${requests}`)
  for (const [index, tick] of latest) {
    if (tick.evaluations === undefined) {
      console.log(`  worker ${pad(index, 2)}  starting`)
      continue
    }
    const source = tick.stats?.lastLoadSource ?? 'nothing yet'
    const pct = tick.evaluations ? Math.round((100 * tick.enabled) / tick.evaluations) : 0
    console.log(
      `  worker ${pad(index, 2)}  ${pad(tick.evaluations, 6)} flags/s  new-checkout on for ${pad(pct, 3)}%` +
        `  definitions from ${source.padEnd(5)}` +
        `  (cache hits ${tick.stats?.cacheHits ?? 0}, own API fetches ${tick.stats?.apiFetches ?? 0})`
    )
  }
}

const result = await runFleet({ provider, workers, seconds, intervalMs, ...urls, onTick: show })

const intervals = (seconds * 1000) / intervalMs
// Without a shared cache every worker fetches once at start and once per interval.
const withoutCache = workers * (1 + Math.floor(intervals))
const states = [...result.latest.values()]
const firstFlags = states.map((s) => s.firstFlagMs).filter((ms) => ms !== undefined)
const fromCache = states.filter((s) => s.firstFlagSource === 'cache').length
console.log('\n' + '-'.repeat(100))
console.log(
  `${workers} workers, ${seconds} s, provider ${provider}: ${result.requests} API requests for flag definitions, ` +
    `${(result.requests / Math.max(1, intervals)).toFixed(1)} per ${intervalMs / 1000} s interval ` +
    `(without a shared cache: ${workers} per interval, about ${withoutCache} in all)`
)
if (firstFlags.length) {
  console.log(
    `first flag answered ${Math.round(Math.min(...firstFlags))}-${Math.round(Math.max(...firstFlags))} ms ` +
      `after the client was created; ${fromCache} of ${workers} workers started from the shared cache`
  )
}
if (result.errors.length) {
  console.log(`problems reported by workers:\n  ${result.errors.join('\n  ')}`)
  process.exitCode = 1
}
