// jest global setup of the projects that need Redis and PostgreSQL. It runs in jest's own process, before the test
// workers exist, so what it writes to stderr reaches the terminal and what it puts in process.env reaches every test.
import { execFileSync } from 'node:child_process'
import Redis from 'ioredis'
import { Client } from 'pg'
import { isCI, SERVICE_URLS, SERVICES_SCRIPT, type ServiceKind, START_COMMAND, VERDICT_VARIABLE } from './services'

const KINDS: ServiceKind[] = ['redis', 'postgres']
type Problems = Partial<Record<ServiceKind, string>>

export type ServicesPlan =
  { action: 'none' } | { action: 'run-script'; kinds: ServiceKind[] } | { action: 'report'; problems: Problems }

/**
 * What to do about unavailable services. scripts/services.sh starts servers on its own fixed URLs, so it runs only
 * for services whose URL variable is unset, only where it can install packages, and never under CI (where `.ci/run`
 * starts the services and a missing one is a failure the tests report).
 */
export function planServices(input: { problems: Problems; env: NodeJS.ProcessEnv; canInstall: boolean }): ServicesPlan {
  const missing = KINDS.filter((kind) => input.problems[kind])
  if (missing.length === 0) return { action: 'none' }
  const startable = missing.filter((kind) => input.env[SERVICE_URLS[kind].variable] === undefined)
  if (!isCI(input.env) && input.canInstall && startable.length > 0) return { action: 'run-script', kinds: startable }
  return { action: 'report', problems: input.problems }
}

/** The URL variables scripts/services.sh prints as `export NAME=value` lines. */
export function parseExports(stdout: string): Record<string, string> {
  const exported: Record<string, string> = {}
  for (const line of stdout.split('\n')) {
    const match = /^export ([A-Z_]+)=(.*)$/.exec(line.trim())
    if (match) exported[match[1]!] = match[2]!.replace(/^'(.*)'$/, '$1')
  }
  return exported
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return url
  }
}

/** One line, so a reader of the run's end sees which tests did not run and the command that fixes it. */
export function skipNotice(problems: Problems, env: NodeJS.ProcessEnv): string {
  const parts = KINDS.filter((kind) => problems[kind]).map((kind) => {
    const { variable, fallback, label } = SERVICE_URLS[kind]
    return `${label} at ${variable}=${withoutPassword(env[variable] ?? fallback)} (${problems[kind]})`
  })
  const verb = isCI(env) ? 'FAILING' : 'SKIPPING'
  return `!!! ${verb} the tests that need ${parts.join(' and ')}: start them with ${START_COMMAND}, then npm test`
}

function canInstall(): boolean {
  if (process.platform !== 'linux') return false
  const works = (command: string, args: string[]) => {
    try {
      execFileSync(command, args, { stdio: 'ignore', timeout: 5000 })
      return true
    } catch {
      return false
    }
  }
  const root = process.getuid?.() === 0
  return works('sh', ['-c', 'command -v apt-get']) && (root || works('sudo', ['-n', 'true']))
}

function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.split('\n')[0] || 'no answer'
}

async function probe(kind: ServiceKind): Promise<string | undefined> {
  const { variable, fallback } = SERVICE_URLS[kind]
  const url = process.env[variable] ?? fallback
  try {
    if (kind === 'redis') {
      const redis = new Redis(url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        reconnectOnError: () => false,
        enableOfflineQueue: false,
        connectTimeout: 1500,
      })
      // ioredis reports the cause (ECONNREFUSED, ENOTFOUND) as an event and rejects with "Connection is closed".
      let cause: unknown
      redis.on('error', (error) => (cause ??= error))
      try {
        await redis.connect()
        await redis.ping()
      } catch (error) {
        throw cause ?? error
      } finally {
        redis.disconnect(false)
      }
    } else {
      const client = new Client({ connectionString: url, connectionTimeoutMillis: 1500 })
      try {
        await client.connect()
        await client.query('select 1')
      } finally {
        await client.end().catch(() => undefined)
      }
    }
    return undefined
  } catch (error) {
    return describeError(error)
  }
}

async function probeAll(): Promise<Problems> {
  const results = await Promise.all(KINDS.map(probe))
  const problems: Problems = {}
  KINDS.forEach((kind, index) => {
    if (results[index]) problems[kind] = results[index]
  })
  return problems
}

function runServicesScript(kinds: ServiceKind[]): void {
  const labels = kinds.map((kind) => SERVICE_URLS[kind].label).join(' and ')
  const them = kinds.length > 1 ? 'them' : 'it'
  process.stderr.write(`\n>>> ${labels} not running: npm test runs scripts/services.sh to install and start ${them}\n`)
  try {
    const stdout = execFileSync('bash', [SERVICES_SCRIPT], {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
      timeout: 10 * 60_000,
    })
    const exported = parseExports(stdout)
    for (const kind of kinds) {
      const { variable } = SERVICE_URLS[kind]
      if (exported[variable]) process.env[variable] = exported[variable]
    }
  } catch (error) {
    process.stderr.write(`>>> scripts/services.sh failed: ${describeError(error)}\n`)
  }
}

export default async function setup(): Promise<void> {
  // Each project that needs the services lists this setup; the first one decides for the run.
  if (process.env[VERDICT_VARIABLE] !== undefined) return
  let problems = await probeAll()
  const plan = planServices({
    problems,
    env: process.env,
    canInstall: Object.keys(problems).length > 0 && canInstall(),
  })
  if (plan.action === 'run-script') {
    runServicesScript(plan.kinds)
    problems = await probeAll()
  }
  process.env[VERDICT_VARIABLE] = JSON.stringify(problems)
  if (Object.keys(problems).length > 0) process.stderr.write(`\n${skipNotice(problems, process.env)}\n\n`)
}
