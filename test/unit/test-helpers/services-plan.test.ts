// How `npm test` treats Redis and PostgreSQL it cannot reach (test/helpers/services-setup.ts).
import { parseExports, planServices, skipNotice } from '../../helpers/services-setup'

const down = { redis: 'connect ECONNREFUSED 127.0.0.1:6379', postgres: 'connect ECONNREFUSED 127.0.0.1:5432' }

it('does nothing when both services answer', () => {
  expect(planServices({ problems: {}, env: {}, canInstall: true })).toEqual({ action: 'none' })
})

it('runs scripts/services.sh for the unreachable services whose URL variable is unset, where it can install', () => {
  expect(planServices({ problems: down, env: {}, canInstall: true })).toEqual({
    action: 'run-script',
    kinds: ['redis', 'postgres'],
  })
  expect(planServices({ problems: down, env: { DATABASE_URL: 'postgres://elsewhere/db' }, canInstall: true })).toEqual({
    action: 'run-script',
    kinds: ['redis'],
  })
})

it('reports instead of installing when the machine cannot install packages', () => {
  expect(planServices({ problems: down, env: {}, canInstall: false })).toEqual({ action: 'report', problems: down })
})

it('never starts a server for a URL the user set: the script cannot make that URL answer', () => {
  const env = { REDIS_URL: 'redis://10.0.0.1:6379', DATABASE_URL: 'postgres://10.0.0.1/db' }
  expect(planServices({ problems: down, env, canInstall: true }).action).toBe('report')
})

it('under CI=true changes nothing on the machine: a missing service is a failure the tests report', () => {
  expect(planServices({ problems: down, env: { CI: 'true' }, canInstall: true }).action).toBe('report')
})

it('reads the URLs scripts/services.sh prints', () => {
  expect(
    parseExports('export REDIS_URL=redis://127.0.0.1:6379\nnoise\nexport DATABASE_URL=postgres://u:p@h/d\n')
  ).toEqual({ REDIS_URL: 'redis://127.0.0.1:6379', DATABASE_URL: 'postgres://u:p@h/d' })
})

it('says in one line which tests do not run, why (no password), and the command that starts the services', () => {
  const notice = skipNotice({ postgres: down.postgres }, { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/d' })
  expect(notice.split('\n')).toHaveLength(1)
  expect(notice).toContain('SKIPPING')
  expect(notice).toContain('PostgreSQL at DATABASE_URL=postgres://u:***@127.0.0.1:5432/d (connect ECONNREFUSED')
  expect(notice).toContain('eval "$(bash scripts/services.sh)"')
  expect(notice).not.toContain('Redis')
  expect(skipNotice(down, { CI: 'true' })).toContain('FAILING')
})
