// Integration and multiprocess tests run against real Redis and PostgreSQL servers. jest's global setup for those
// projects (test/helpers/services-setup.ts) checks them once, starts them with scripts/services.sh where the machine
// can, and hands its verdict to the test files through the environment. Under CI=true a missing service fails the
// run; elsewhere the suites that need it are skipped and the setup says so on the terminal.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'

export type ServiceKind = 'redis' | 'postgres'

export const SERVICES_SCRIPT = join(__dirname, '..', '..', 'scripts', 'services.sh')
export const START_COMMAND = `eval "$(bash scripts/services.sh)"`
/** The variable that names each service's URL, and the URL scripts/services.sh starts it on. */
export const SERVICE_URLS: Record<ServiceKind, { variable: string; fallback: string; label: string }> = {
  redis: { variable: 'REDIS_URL', fallback: 'redis://127.0.0.1:6379', label: 'Redis' },
  postgres: {
    variable: 'DATABASE_URL',
    fallback: 'postgres://posthog_test:posthog_test@127.0.0.1:5432/posthog_test',
    label: 'PostgreSQL',
  },
}
/** Set by the global setup: a JSON object from service kind to why it is unavailable (`{}` when both answer). */
export const VERDICT_VARIABLE = 'POSTHOG_TEST_SERVICES_UNAVAILABLE'

export const REDIS_URL = process.env.REDIS_URL ?? SERVICE_URLS.redis.fallback
export const DATABASE_URL = process.env.DATABASE_URL ?? SERVICE_URLS.postgres.fallback

export const isCI = (env: NodeJS.ProcessEnv = process.env): boolean => /^(1|true|yes)$/i.test(env.CI ?? '')

/** A child process keeps this probe synchronous, for a test file that runs without the global setup. */
function probeSync(kind: ServiceKind): string | undefined {
  const code =
    kind === 'redis'
      ? `const R=require('ioredis');const r=new R(process.argv[1],{lazyConnect:true,maxRetriesPerRequest:0,retryStrategy:()=>null,connectTimeout:1500});r.connect().then(()=>r.ping()).then(()=>{r.disconnect();process.exit(0)},(e)=>{console.error(e.message);process.exit(1)})`
      : `const {Client}=require('pg');const c=new Client({connectionString:process.argv[1],connectionTimeoutMillis:1500});c.connect().then(()=>c.query('select 1')).then(()=>c.end()).then(()=>process.exit(0),(e)=>{console.error(e.message);process.exit(1)})`
  try {
    execFileSync(process.execPath, ['-e', code, kind === 'redis' ? REDIS_URL : DATABASE_URL], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 5000,
    })
    return undefined
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim()
    return stderr || String(error)
  }
}

let verdict: Partial<Record<ServiceKind, string>> | undefined
function unavailable(kind: ServiceKind): string | undefined {
  if (!verdict) {
    const passed = process.env[VERDICT_VARIABLE]
    verdict = passed
      ? (JSON.parse(passed) as Partial<Record<ServiceKind, string>>)
      : { redis: probeSync('redis'), postgres: probeSync('postgres') }
  }
  return verdict[kind]
}

/** `describe` that runs only when the service answers; fails under CI, is skipped otherwise. */
export function describeWith(kind: ServiceKind, name: string, body: () => void): void {
  const problem = unavailable(kind)
  if (!problem) return describe(name, body)
  if (isCI()) {
    describe(name, () => {
      it(`needs ${SERVICE_URLS[kind].label}`, () => {
        throw new Error(`CI=true and ${SERVICE_URLS[kind].label} is unavailable (${problem}). Run: ${START_COMMAND}`)
      })
    })
    return
  }
  // The global setup already told the user, outside jest's captured console.
  describe.skip(name, body)
}
