// Runs a fleet of worker processes (examples/fleet-worker.mjs) against a local stand-in for the PostHog API.
// Shared by `npm run example` and `npm run bench`.
import { fork } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const standIn = createRequire(import.meta.url)('../tools/posthog-stand-in.cjs')

export const DEFAULT_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
export const DEFAULT_DATABASE_URL =
  process.env.DATABASE_URL ?? 'postgres://posthog_test:posthog_test@127.0.0.1:5432/posthog_test'
const PG_TABLE = 'posthog_flag_definitions_example'

/** Resolves with a reason when the provider's server does not answer, undefined when it does. */
export async function serverProblem(
  provider,
  { redisUrl = DEFAULT_REDIS_URL, databaseUrl = DEFAULT_DATABASE_URL } = {}
) {
  try {
    if (provider === 'redis' || provider === 'docs-lock') {
      const { default: Redis } = await import('ioredis')
      const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
      try {
        await redis.connect()
        await redis.ping()
      } finally {
        redis.disconnect()
      }
    }
    if (provider === 'postgres') {
      const { default: pg } = await import('pg')
      const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2000 })
      try {
        await client.connect()
      } finally {
        await client.end().catch(() => {})
      }
    }
    return undefined
  } catch (error) {
    const where = provider === 'postgres' ? `PostgreSQL at ${databaseUrl}` : `Redis at ${redisUrl}`
    return `${where} is not reachable (${error.message}). Start it: eval "$(bash scripts/services.sh)"`
  }
}

/**
 * Starts `workers` processes, lets them run `seconds`, stops them and returns what happened.
 * onTick(latestByWorker, apiRequests) is called once a second while they run.
 */
export async function runFleet({
  provider,
  workers,
  seconds,
  intervalMs,
  redisUrl = DEFAULT_REDIS_URL,
  databaseUrl = DEFAULT_DATABASE_URL,
  apiLatencyMs = 0,
  pauseMs = 5,
  batch = 50,
  api: sharedApi,
  projectKey = `phc_fleet_${process.pid}_${Date.now()}`,
  directory,
  keepCache = false,
  staggerMs = 0,
  onTick,
}) {
  const api = sharedApi ?? (await standIn.start({ latencyMs: apiLatencyMs }))
  const requestsBefore = api.requests()
  const ownDirectory = provider === 'file' && !directory
  const cacheDirectory = provider === 'file' ? (directory ?? mkdtempSync(join(tmpdir(), 'posthog-fleet-'))) : undefined
  const latest = new Map()
  const errors = []
  const exits = []
  const startedAt = Date.now()

  for (let index = 1; index <= workers; index++) {
    // Real fleets poll at their own phases (workers start and restart at different times).
    if (staggerMs > 0 && index > 1) await new Promise((resolve) => setTimeout(resolve, staggerMs))
    const config = {
      index,
      provider,
      projectKey,
      personalKey: 'phx_fleet_personal_key',
      host: api.url,
      intervalMs,
      directory: cacheDirectory,
      redisUrl,
      redisPrefix: `posthog:fleet:${projectKey}:`,
      databaseUrl,
      pgTable: PG_TABLE,
      pauseMs,
      batch,
    }
    const child = fork(join(here, 'fleet-worker.mjs'), {
      env: { ...process.env, FLEET_WORKER_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    latest.set(index, {})
    child.on('message', (message) => {
      const state = latest.get(index)
      if (message.type === 'tick') Object.assign(state, message)
      if (message.type === 'first-flag') Object.assign(state, message)
      if (message.type === 'done') state.final = message.stats
      if (message.type === 'error' && errors.length < 20) errors.push(`worker ${index}: ${message.message}`)
    })
    const exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        if (code !== 0) errors.push(`worker ${index} exited with ${signal ?? `code ${code}`}`)
        resolve()
      })
    )
    exits.push({ child, exited })
  }

  const ticker = onTick && setInterval(() => onTick(latest, api.requests() - requestsBefore, startedAt), 1000)
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
  if (ticker) clearInterval(ticker)
  for (const { child } of exits) if (child.connected) child.send('stop')
  const killer = setTimeout(() => exits.forEach(({ child }) => child.kill('SIGKILL')), 15000)
  await Promise.all(exits.map(({ exited }) => exited))
  clearTimeout(killer)

  const requests = api.requests() - requestsBefore
  if (!sharedApi) await api.close()
  if (!keepCache) await forgetCache({ provider, projectKey, cacheDirectory, ownDirectory, redisUrl, databaseUrl })
  return { requests, latest, errors, projectKey, directory: cacheDirectory, startedAt }
}

async function forgetCache({ provider, projectKey, cacheDirectory, ownDirectory, redisUrl, databaseUrl }) {
  if (provider === 'file' && ownDirectory) rmSync(cacheDirectory, { recursive: true, force: true })
  if (provider === 'redis' || provider === 'docs-lock') {
    const { default: Redis } = await import('ioredis')
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 })
    const keys = await redis.keys(`posthog:fleet:${projectKey}:*`)
    if (keys.length) await redis.del(...keys)
    await redis.quit()
  }
  if (provider === 'postgres') {
    const { default: pg } = await import('pg')
    const pool = new pg.Pool({ connectionString: databaseUrl })
    // Rows are keyed by a hash of the project key; this table is the example's own.
    await pool.query('DELETE FROM posthog_flag_definitions_example').catch(() => {})
    await pool.end()
  }
}
