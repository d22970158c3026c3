// Fleet benchmark: API requests per polling interval against the number of worker processes, for no provider, the
// lock-and-release pattern of the original provider documentation, and each shipped provider; and the time to the
// first evaluated flag for a fresh process with a warm cache versus one that fetches from the API.
// Prints tables and writes docs/bench-fleet.svg (shown in the README).
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runFleet, serverProblem } from '../examples/fleet-lib.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const WORKERS = (process.env.BENCH_WORKERS ?? '1,2,4,8,16').split(',').map(Number)
const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_MS ?? 1000)
const INTERVALS = Number(process.env.BENCH_INTERVALS ?? 5)
const API_LATENCY_MS = Number(process.env.BENCH_API_LATENCY_MS ?? 150)
const CONFIGS = [
  { provider: 'none', label: 'no provider (upstream behaviour)' },
  { provider: 'docs-lock', label: 'lock-and-release (documented pattern, Redis)' },
  { provider: 'redis', label: 'RedisFlagDefinitionCache' },
  { provider: 'postgres', label: 'PostgresFlagDefinitionCache' },
  { provider: 'file', label: 'FileFlagDefinitionCache' },
]

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

// --- requests per interval -----------------------------------------------------------------------------------------
// Workers start spread over one interval, as in a real fleet where each polls at its own phase. Requests are counted
// over INTERVALS intervals once every worker has started and loaded (cold starts are measured separately below).
const standIn = createRequire(import.meta.url)('../tools/posthog-stand-in.cjs')
const rows = []
for (const config of CONFIGS) {
  const problem = await serverProblem(config.provider)
  if (problem) {
    console.log(`skipping ${config.label}: ${problem}`)
    continue
  }
  const perWorkers = {}
  for (const workers of WORKERS) {
    const api = await standIn.start({ latencyMs: API_LATENCY_MS })
    const times = []
    api.onRequest((request) => request.kind === 'definitions' && times.push(request.at))
    const staggerMs = Math.floor(INTERVAL_MS / workers)
    const warmupMs = INTERVAL_MS + 2000
    const result = await runFleet({
      provider: config.provider,
      workers,
      seconds: (warmupMs + INTERVAL_MS * INTERVALS + 200) / 1000,
      intervalMs: INTERVAL_MS,
      api,
      staggerMs,
      pauseMs: 20,
      batch: 20,
    })
    await api.close()
    const from = result.startedAt + warmupMs
    const counted = times.filter((at) => at >= from && at < from + INTERVAL_MS * INTERVALS).length
    if (result.errors.length) console.log(`  ${config.provider} x${workers}: ${result.errors.slice(0, 3).join('; ')}`)
    perWorkers[workers] = counted / INTERVALS
    console.log(`  ${config.provider.padEnd(9)} ${String(workers).padStart(2)} workers: ${counted} requests`)
  }
  rows.push({ ...config, perWorkers })
}

console.log(
  `\nAPI requests for flag definitions per ${INTERVAL_MS} ms polling interval, steady state over ${INTERVALS} ` +
    `intervals, workers starting at spread-out phases (stand-in API answering after ${API_LATENCY_MS} ms)\n`
)
const header = `| provider | ${WORKERS.map((w) => `${w} worker${w > 1 ? 's' : ''}`).join(' | ')} |`
console.log(header)
console.log(`| --- | ${WORKERS.map(() => '---:').join(' | ')} |`)
for (const row of rows) {
  console.log(`| ${row.label} | ${WORKERS.map((w) => row.perWorkers[w].toFixed(2)).join(' | ')} |`)
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
  const state = again.latest.get(1)
  if (again.requests !== 0 || state.firstFlagSource !== 'cache') {
    console.log(`  warm start sample ${i}: ${again.requests} API requests, source ${state.firstFlagSource}`)
  }
  warm.push(state.firstFlagMs)
}
console.log(`\nTime from new PostHog(...) to the first evaluated flag in a fresh process (median of ${SAMPLES})\n`)
console.log('| start | first flag after | API requests |')
console.log('| --- | ---: | ---: |')
console.log(
  `| cold, fetches definitions from the API (${API_LATENCY_MS} ms round trip) | ${median(cold).toFixed(1)} ms | 1 |`
)
console.log(`| warm FileFlagDefinitionCache | ${median(warm).toFixed(1)} ms | 0 |`)

// --- chart ---------------------------------------------------------------------------------------------------------
writeFileSync(join(here, '..', 'docs', 'bench-fleet.svg'), chart(rows))
console.log('\nchart written to docs/bench-fleet.svg')

function chart(series) {
  const width = 720
  const height = 380
  const left = 60
  const right = 300
  const top = 30
  const bottom = 50
  const plotW = width - left - right
  const plotH = height - top - bottom
  const peak = Math.max(1, ...series.flatMap((s) => WORKERS.map((w) => s.perWorkers[w])))
  // Round the axis up to a multiple of 4 so the five ticks are whole numbers.
  const maxY = Math.ceil(peak / 4) * 4
  const x = (i) => left + (WORKERS.length === 1 ? plotW / 2 : (i * plotW) / (WORKERS.length - 1))
  const y = (v) => top + plotH - (v / maxY) * plotH
  const colors = ['#d62728', '#ff7f0e', '#1f77b4', '#2ca02c', '#9467bd']
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="18" font-size="14">API requests per polling interval vs. worker processes</text>`,
    `<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="black"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="black"/>`,
  ]
  for (let t = 0; t <= 4; t++) {
    const v = (maxY * t) / 4
    parts.push(`<text x="${left - 8}" y="${y(v) + 4}" text-anchor="end">${v}</text>`)
    parts.push(`<line x1="${left}" y1="${y(v)}" x2="${left + plotW}" y2="${y(v)}" stroke="#eee"/>`)
  }
  WORKERS.forEach((w, i) => parts.push(`<text x="${x(i)}" y="${top + plotH + 18}" text-anchor="middle">${w}</text>`))
  parts.push(`<text x="${left + plotW / 2}" y="${height - 12}" text-anchor="middle">worker processes</text>`)
  series.forEach((s, k) => {
    const color = colors[k % colors.length]
    const points = WORKERS.map((w, i) => `${x(i)},${y(s.perWorkers[w])}`).join(' ')
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${points}"/>`)
    WORKERS.forEach((w, i) => parts.push(`<circle cx="${x(i)}" cy="${y(s.perWorkers[w])}" r="3" fill="${color}"/>`))
    const ly = top + 10 + k * 20
    parts.push(`<rect x="${left + plotW + 20}" y="${ly - 9}" width="12" height="12" fill="${color}"/>`)
    parts.push(`<text x="${left + plotW + 38}" y="${ly + 1}">${escapeXml(s.label)}</text>`)
  })
  const noteY = top + 10 + series.length * 20 + 10
  parts.push(`<text x="${left + plotW + 20}" y="${noteY}" fill="#555">(the shipped providers' lines overlap)</text>`)
  parts.push('</svg>\n')
  return parts.join('\n')
}

function escapeXml(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
