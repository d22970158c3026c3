// jest global teardown of the projects that need Redis and PostgreSQL: it runs after jest's summary, so a skip (or a
// CI failure) caused by a missing service is repeated as the run's last line, where the reader looks.
import { type ServiceKind, VERDICT_VARIABLE } from './services'
import { skipNotice } from './services-setup'

const REPORTED = 'POSTHOG_TEST_SERVICES_REPORTED'

export default function teardown(): void {
  const verdict = process.env[VERDICT_VARIABLE]
  if (!verdict || process.env[REPORTED]) return
  process.env[REPORTED] = '1'
  const problems = JSON.parse(verdict) as Partial<Record<ServiceKind, string>>
  if (Object.keys(problems).length > 0) process.stderr.write(`\n${skipNotice(problems, process.env)}\n`)
}
