// Fleet benchmark. For 1 to 16 worker processes, per configuration (the real upstream posthog-node 5.13.2 without a
// provider, this package without one, the lock-and-release pattern of the original provider documentation, and each
// shipped provider): API requests for flag definitions per polling interval, how many were full downloads (200) or
// conditional (304) and the bytes downloaded, in a steady state with unchanged definitions; then the lag after a flag
// change (p50/p90/max over several flips) and how long the fleet disagreed with itself. Also the maxAgeMs trade, and
// the time to the first evaluated flag with a warm cache. Prints tables, writes docs/bench-fleet.svg and the README
// fragment (bench/run.mjs puts it between the README's markers).
import { fork } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, runFleet, serverProblem } from '../examples/fleet-lib.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
const standIn = require('../tools/posthog-stand-in.cjs')
const WORKERS = (process.env.BENCH_WORKERS ?? '1,2,4,8,16').split(',').map(Number)
const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_MS ?? 1000)
const QUIET_INTERVALS = Number(process.env.BENCH_INTERVALS ?? 5)
const FLIPS = Number(process.env.BENCH_FLIPS ?? 4)
const API_LATENCY_MS = Number(process.env.BENCH_API_LATENCY_MS ?? 150)
const EXTRA_FLAGS = Number(process.env.BENCH_EXTRA_FLAGS ?? 300)
const PG_TABLE = 'posthog_flag_definitions_bench'
const CONFIGS = [
  { id: 'upstream', package: 'upstream', provider: 'none', label: 'upstream 5.13.2, no provider' },
  { id: 'none', package: 'this', provider: 'none', label: 'this package, no provider' },
  { id: 'docs-lock', package: 'this', provider: 'docs-lock', label: 'lock-and-release (documented pattern, Redis)' },
  { id: 'redis', package: 'this', provider: 'redis', label: '`RedisFlagDefinitionCache`' },
  { id: 'postgres', package: 'this', provider: 'postgres', label: '`PostgresFlagDefinitionCache`' },
  { id: 'file', package: 'this', provider: 'file', label: '`FileFlagDefinitionCache`' },
]
const TRADE_WORKERS = Math.max(...WORKERS)
const TRADE_DIVISOR = 4

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : NaN
}

/** The stand-in's definitions plus EXTRA_FLAGS ordinary flags (a project of realistic size), the probe flag on or off. */
function definitions(on) {
  const body = JSON.parse(JSON.stringify(standIn.DEFAULT_DEFINITIONS))
  const probe = body.flags.find((flag) => flag.key === 'new-checkout')
  probe.filters.groups = [{ properties: [], rollout_percentage: on ? 100 : 0 }]
  for (let i = 0; i < EXTRA_FLAGS; i++) {
    body.flags.push({
      ...JSON.parse(JSON.stringify(body.flags[1])),
      id: 1000 + i,
      key: `generated-flag-${i}`,
      name: `Generated flag ${i} for a project of realistic size`,
    })
  }
  return body
}

/** Runs one fleet: start, steady state with unchanged definitions, then FLIPS flag changes. */
async function runOne(config, workers, maxAgeMs = INTERVAL_MS) {
  const api = await standIn.start({ latencyMs: API_LATENCY_MS, definitions: definitions(false) })
  const responses = []
  api.onResponse((response) => response.kind === 'definitions' && responses.push(response))
  const run = `${process.pid}-${Date.now()}`
  const directory = config.provider === 'file' ? mkdtempSync(join(tmpdir(), 'posthog-bench-fleet-')) : undefined
  const redisPrefix = `bench:fleet:${run}:`
  const seen = Array.from({ length: workers }, () => [])
  const children = []
  for (let index = 0; index < workers; index++) {
    // Real fleets poll at their own phases (workers start and restart at different times).
    if (index > 0) await sleep(Math.floor(INTERVAL_MS / workers))
    const child = fork(join(here, '_fleet-worker.mjs'), {
      env: {
        ...process.env,
        BENCH_WORKER_CONFIG: JSON.stringify({
          index,
          package: config.package,
          provider: config.provider,
          projectKey: `phc_bench_${run}`,
          host: api.url,
          intervalMs: INTERVAL_MS,
          maxAgeMs,
          directory,
          redisUrl: DEFAULT_REDIS_URL,
          redisPrefix,
          databaseUrl: DEFAULT_DATABASE_URL,
          pgTable: PG_TABLE,
        }),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    child.on('message', (message) => message.type === 'value' && seen[index].push(message))
    children.push({ child, exited: new Promise((resolve) => child.on('exit', resolve)) })
  }
  const loaded = () => seen.every((events) => events.some((event) => event.value === false))
  const deadline = Date.now() + 20_000
  while (!loaded() && Date.now() < deadline) await sleep(50)
  await sleep(INTERVAL_MS * 1.5)

  const quietFrom = Date.now()
  await sleep(INTERVAL_MS * QUIET_INTERVALS)
  const quiet = responses.filter((r) => r.at >= quietFrom && r.at < quietFrom + INTERVAL_MS * QUIET_INTERVALS)
  const full = quiet.filter((r) => r.status === 200)

  const flips = []
  for (let f = 0; f < FLIPS; f++) {
    // Random phases against the polling, and far enough apart that every worker sees each flip before the next.
    await sleep(INTERVAL_MS * (2 + Math.random() * 0.5))
    const value = f % 2 === 0
    api.setDefinitions(definitions(value))
    flips.push({ at: Date.now(), value })
  }
  await sleep(INTERVAL_MS * 2.5)

  for (const { child } of children) if (child.connected) child.send('stop')
  const killer = setTimeout(() => children.forEach(({ child }) => child.kill('SIGKILL')), 15_000)
  await Promise.all(children.map(({ exited }) => exited))
  clearTimeout(killer)
  await api.close()
  await forget(config.provider, { directory, redisPrefix })

  const lags = []
  let missed = 0
  let disagreement = 0
  flips.forEach((flip, f) => {
    const until = flips[f + 1]?.at ?? Infinity
    const perWorker = seen.map((events) => {
      const event = events.find((e) => e.value === flip.value && e.at >= flip.at && e.at < until)
      return event ? event.at - flip.at : undefined
    })
    for (const lag of perWorker) if (lag === undefined) missed++
    const found = perWorker.filter((lag) => lag !== undefined)
    lags.push(...found)
    if (found.length) disagreement = Math.max(disagreement, Math.max(...found) - Math.min(...found))
  })
  return {
    requests: quiet.length / QUIET_INTERVALS,
    full: full.length / QUIET_INTERVALS,
    notModified: (quiet.length - full.length) / QUIET_INTERVALS,
    kilobytes: full.reduce((sum, r) => sum + r.bytes, 0) / 1024 / QUIET_INTERVALS,
    lag: { p50: quantile(lags, 0.5), p90: quantile(lags, 0.9), max: Math.max(...lags) },
    disagreement,
    missed,
  }
}

async function forget(provider, { directory, redisPrefix }) {
  if (directory) rmSync(directory, { recursive: true, force: true })
  if (provider === 'redis' || provider === 'docs-lock') {
    const { default: Redis } = await import('ioredis')
    const redis = new Redis(DEFAULT_REDIS_URL, { maxRetriesPerRequest: 1 })
    const keys = [...(await redis.keys(`${redisPrefix}*`)), ...(await redis.keys(`posthog:flags:${redisPrefix}*`))]
    if (keys.length) await redis.del(...keys)
    await redis.quit()
  }
  if (provider === 'postgres') {
    const { default: pg } = await import('pg')
    const pool = new pg.Pool({ connectionString: DEFAULT_DATABASE_URL })
    await pool.query(`DELETE FROM ${PG_TABLE}`).catch(() => undefined)
    await pool.end()
  }
}

// --- the fleets ----------------------------------------------------------------------------------------------------
const rows = []
for (const config of CONFIGS) {
  const problem = config.provider === 'none' ? undefined : await serverProblem(config.provider)
  if (problem) {
    console.log(`skipping ${config.label}: ${problem}`)
    continue
  }
  const byWorkers = {}
  for (const workers of WORKERS) {
    const result = await runOne(config, workers)
    byWorkers[workers] = result
    console.log(
      `  ${config.id.padEnd(9)} ${String(workers).padStart(2)} workers: ${result.requests.toFixed(2)} req/interval ` +
        `(${result.full.toFixed(2)} full, ${result.notModified.toFixed(2)} 304, ${result.kilobytes.toFixed(0)} KB), ` +
        `lag p50 ${result.lag.p50} p90 ${result.lag.p90} max ${result.lag.max} ms, disagreement ${result.disagreement} ms` +
        (result.missed ? `, ${result.missed} missed` : '')
    )
  }
  rows.push({ ...config, byWorkers })
}

const lone = rows.find((row) => row.id === 'upstream')?.byWorkers[1]
let trade
if (!(await serverProblem('redis'))) {
  const quarter = await runOne(CONFIGS[3], TRADE_WORKERS, INTERVAL_MS / TRADE_DIVISOR)
  trade = { quarter, full: rows.find((row) => row.id === 'redis')?.byWorkers[TRADE_WORKERS] }
  console.log(`  redis maxAgeMs=interval/${TRADE_DIVISOR}, ${TRADE_WORKERS} workers:`, JSON.stringify(quarter))
}

// --- time to first flag --------------------------------------------------------------------------------------------
const SAMPLES = 5
const cold = []
const warm = []
for (let i = 0; i < SAMPLES; i++) {
  const fetched = await runFleet({
    provider: 'none',
    workers: 1,
    seconds: 1,
    intervalMs: 30000,
    apiLatencyMs: API_LATENCY_MS,
  })
  cold.push(fetched.latest.get(1).firstFlagMs)
  const projectKey = `phc_warm_${process.pid}_${i}`
  const primed = await runFleet({
    provider: 'file',
    workers: 1,
    seconds: 1,
    intervalMs: 30000,
    projectKey,
    keepCache: true,
    apiLatencyMs: API_LATENCY_MS,
  })
  const again = await runFleet({
    provider: 'file',
    workers: 1,
    seconds: 1,
    intervalMs: 30000,
    projectKey,
    directory: primed.directory,
    apiLatencyMs: API_LATENCY_MS,
  })
  rmSync(primed.directory, { recursive: true, force: true })
  const state = again.latest.get(1)
  if (again.requests !== 0 || state.firstFlagSource !== 'cache') {
    console.log(`  warm start sample ${i}: ${again.requests} API requests, source ${state.firstFlagSource}`)
  }
  warm.push(state.firstFlagMs)
}

// --- report --------------------------------------------------------------------------------------------------------
const fixed = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '–')
const ms = (value) => (Number.isFinite(value) ? `${Math.round(value)}` : '–')
const columns = WORKERS.map((w) => `${w} worker${w > 1 ? 's' : ''}`)
const table = (header, body) =>
  [
    `| ${header.join(' | ')} |`,
    `| --- | ${header
      .slice(1)
      .map(() => '---:')
      .join(' | ')} |`,
    ...body.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n')
const perWorkers = (cell) => rows.map((row) => [row.label, ...WORKERS.map((w) => cell(row.byWorkers[w]))])

const kb = (value) => (value >= 100 ? value.toFixed(0) : value.toFixed(1))
const markdown = [
  `Fleet (\`bench/fleet.mjs\`), every worker polling every ${INTERVAL_MS} ms (\`maxAgeMs\` the same), started at ` +
    `spread-out phases, against a stand-in API answering after ${API_LATENCY_MS} ms with ` +
    `${EXTRA_FLAGS + standIn.DEFAULT_DEFINITIONS.flags.length} flags ` +
    `(${kb(Buffer.byteLength(JSON.stringify(definitions(false))) / 1024)} KB).`,
  '',
  `API requests for flag definitions per polling interval, unchanged definitions, over ${QUIET_INTERVALS} intervals:`,
  '',
  table(
    ['configuration', ...columns],
    perWorkers((r) => fixed(r.requests))
  ),
  '',
  'Of those, full downloads (200) + conditional answers (304) per interval, and KB downloaded per interval:',
  '',
  table(
    ['configuration', ...columns],
    perWorkers((r) => `${fixed(r.full)} + ${fixed(r.notModified)} (${kb(r.kilobytes)} KB)`)
  ),
  '',
  `Lag from a flag change in PostHog to a worker answering the new value, p50 / p90 / max in ms over ${FLIPS} flips ` +
    '(every worker, every flip), and the longest time the fleet disagreed with itself after a change:',
  '',
  table(
    ['configuration', ...columns],
    perWorkers((r) => `${ms(r.lag.p50)} / ${ms(r.lag.p90)} / ${ms(r.lag.max)} (${ms(r.disagreement)})`)
  ),
]
if (trade?.full && lone) {
  markdown.push(
    '',
    `The freshness knob, ${TRADE_WORKERS} workers with \`RedisFlagDefinitionCache\`:`,
    '',
    table(
      ['setup', 'requests per interval', 'lag p50 / p90 / max (ms)'],
      [
        [
          'a lone process, no provider (upstream 5.13.2)',
          fixed(lone.requests),
          `${ms(lone.lag.p50)} / ${ms(lone.lag.p90)} / ${ms(lone.lag.max)}`,
        ],
        [
          `\`maxAgeMs\` = interval (${INTERVAL_MS} ms)`,
          fixed(trade.full.requests),
          `${ms(trade.full.lag.p50)} / ${ms(trade.full.lag.p90)} / ${ms(trade.full.lag.max)}`,
        ],
        [
          `\`maxAgeMs\` = interval / ${TRADE_DIVISOR} (${INTERVAL_MS / TRADE_DIVISOR} ms)`,
          fixed(trade.quarter.requests),
          `${ms(trade.quarter.lag.p50)} / ${ms(trade.quarter.lag.p90)} / ${ms(trade.quarter.lag.max)}`,
        ],
      ]
    )
  )
}
markdown.push(
  '',
  `Time from \`new PostHog(...)\` to the first evaluated flag in a fresh process (median of ${SAMPLES}):`,
  '',
  table(
    ['start', 'first flag after', 'API requests'],
    [
      [`cold, fetches the definitions (${API_LATENCY_MS} ms round trip)`, `${fixed(median(cold), 1)} ms`, '1'],
      ['warm `FileFlagDefinitionCache`', `${fixed(median(warm), 1)} ms`, '0'],
    ]
  ),
  '',
  '![API requests, KB downloaded and lag after a change vs. worker processes](docs/bench-fleet.svg)'
)
const fragment = markdown.join('\n')
console.log(`\n${fragment}\n`)
if (process.env.BENCH_README_FRAGMENT) writeFileSync(process.env.BENCH_README_FRAGMENT, `${fragment}\n`)

writeFileSync(join(here, '..', 'docs', 'bench-fleet.svg'), chart(rows))
console.log('chart written to docs/bench-fleet.svg')

function median(values) {
  return quantile(values, 0.5)
}

// --- chart: three panels sharing the x axis, the legend below them, inside the picture ------------------------------
function chart(series) {
  const panels = [
    { title: 'API requests per interval', value: (r) => r.requests, unit: '' },
    { title: 'KB downloaded per interval', value: (r) => r.kilobytes, unit: '' },
    { title: 'lag after a change, p90 (ms)', value: (r) => r.lag.p90, unit: '' },
  ]
  const panelW = 260
  const panelH = 200
  const gap = 70
  const left = 60
  const top = 40
  const width = left + panels.length * panelW + (panels.length - 1) * gap + 30
  const legendTop = top + panelH + 60
  const legendRows = Math.ceil(series.length / 2)
  const height = legendTop + legendRows * 22 + 20
  const colors = ['#d62728', '#ff7f0e', '#8c564b', '#1f77b4', '#2ca02c', '#9467bd']
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
  ]
  panels.forEach((panel, p) => {
    const x0 = left + p * (panelW + gap)
    const values = series.flatMap((s) => WORKERS.map((w) => panel.value(s.byWorkers[w]))).filter(Number.isFinite)
    const peak = Math.max(1, ...values)
    const step = niceStep(peak / 4)
    const maxY = step * 4
    const x = (i) => x0 + (WORKERS.length === 1 ? panelW / 2 : (i * panelW) / (WORKERS.length - 1))
    const y = (v) => top + panelH - (Math.min(v, maxY) / maxY) * panelH
    parts.push(`<text x="${x0}" y="${top - 14}" font-size="13">${escapeXml(panel.title)}</text>`)
    for (let t = 0; t <= 4; t++) {
      const v = step * t
      parts.push(`<line x1="${x0}" y1="${y(v)}" x2="${x0 + panelW}" y2="${y(v)}" stroke="#eee"/>`)
      parts.push(`<text x="${x0 - 6}" y="${y(v) + 4}" text-anchor="end">${+v.toFixed(2)}</text>`)
    }
    parts.push(`<line x1="${x0}" y1="${top + panelH}" x2="${x0 + panelW}" y2="${top + panelH}" stroke="black"/>`)
    parts.push(`<line x1="${x0}" y1="${top}" x2="${x0}" y2="${top + panelH}" stroke="black"/>`)
    WORKERS.forEach((w, i) => parts.push(`<text x="${x(i)}" y="${top + panelH + 16}" text-anchor="middle">${w}</text>`))
    parts.push(`<text x="${x0 + panelW / 2}" y="${top + panelH + 34}" text-anchor="middle">worker processes</text>`)
    series.forEach((s, k) => {
      const color = colors[k % colors.length]
      const points = WORKERS.map((w, i) => [x(i), panel.value(s.byWorkers[w])]).filter(([, v]) => Number.isFinite(v))
      const dash = k >= 3 ? ` stroke-dasharray="${(k - 2) * 3},3"` : ''
      parts.push(
        `<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${points.map(([px, v]) => `${px},${y(v)}`).join(' ')}"/>`
      )
      for (const [px, v] of points) parts.push(`<circle cx="${px}" cy="${y(v)}" r="3" fill="${color}"/>`)
    })
  })
  series.forEach((s, k) => {
    const lx = left + (k % 2) * ((width - left) / 2)
    const ly = legendTop + Math.floor(k / 2) * 22
    const color = colors[k % colors.length]
    parts.push(`<rect x="${lx}" y="${ly - 10}" width="14" height="12" fill="${color}"/>`)
    parts.push(`<text x="${lx + 20}" y="${ly}">${escapeXml(s.label.replace(/`/g, ''))}</text>`)
  })
  parts.push('</svg>\n')
  return parts.join('\n')
}

function niceStep(raw) {
  const power = 10 ** Math.floor(Math.log10(raw || 1))
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= raw) return m * power
  return 10 * power
}

function escapeXml(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
