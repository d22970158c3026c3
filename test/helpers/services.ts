// Integration tests run against real Redis and PostgreSQL started by scripts/services.sh.
// Under CI=true a missing service fails the run; locally the suite is skipped with a loud notice.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
export const DATABASE_URL =
  process.env.DATABASE_URL ?? 'postgres://posthog_test:posthog_test@127.0.0.1:5432/posthog_test'

const isCI = /^(1|true|yes)$/i.test(process.env.CI ?? '')
const script = join(__dirname, '..', '..', 'scripts', 'services.sh')

function probe(kind: 'redis' | 'postgres'): string | undefined {
  // A child process keeps the probe synchronous so describe() can decide before tests are declared.
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

const cache = new Map<string, string | undefined>()
function unavailable(kind: 'redis' | 'postgres'): string | undefined {
  if (!cache.has(kind)) cache.set(kind, probe(kind))
  return cache.get(kind)
}

/** `describe` that runs only when the service answers; fails under CI, skips loudly otherwise. */
export function describeWith(kind: 'redis' | 'postgres', name: string, body: () => void): void {
  const problem = unavailable(kind)
  if (!problem) return describe(name, body)
  const message = `${kind} is not reachable (${problem}). Start it with: eval "$(bash ${script})"`
  if (isCI) {
    describe(name, () => {
      it(`needs ${kind}`, () => {
        throw new Error(`CI=true and ${message}`)
      })
    })
    return
  }
  console.warn(`\n!!! SKIPPING "${name}": ${message}\n`)
  describe.skip(name, body)
}
