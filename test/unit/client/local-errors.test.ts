// Unexpected local evaluation failures reach users through the client's 'error' event with upstream's message
// prefix, then the flag is answered by the server (getFeatureFlag) or the failure is thrown (getFeatureFlagPayload).
import nock from 'nock'
import { PostHog } from '../../../src/entrypoints/index.node'
import { apiDefinitions } from '../../helpers/definitions'

jest.mock('../../../src/evaluation', () => {
  const actual = jest.requireActual('../../../src/evaluation')
  return {
    ...actual,
    evaluateFlag: (...args: unknown[]) =>
      args[1] === 'broken' ? { kind: 'error', error: new TypeError('x is undefined') } : actual.evaluateFlag(...args),
  }
})

function client(): { client: PostHog; errors: Error[] } {
  const host = 'http://local-errors.posthog.test'
  nock(host)
    .persist()
    .get(/local_evaluation/)
    .reply(200, apiDefinitions(['broken', 'fine']))
  nock(host)
    .persist()
    .post('/flags/?v=2&config=true')
    .reply(200, { flags: { broken: { key: 'broken', enabled: true, variant: 'from-server' } } })
  nock(host).persist().post('/batch/').reply(200, {})
  const created = new PostHog('TEST_API_KEY', { host, personalApiKey: 'phx_personal', flushInterval: 0 })
  const errors: Error[] = []
  created.on('error', (error: Error) => errors.push(error))
  return { client: created, errors }
}

test('getFeatureFlag reports the failure and asks the server', async () => {
  const { client: posthog, errors } = client()
  await posthog.waitForLocalEvaluationReady(2000)
  expect(await posthog.getFeatureFlag('broken', 'u')).toBe('from-server')
  expect(errors.map((e) => e.message)).toEqual(['Error computing flag locally: broken: TypeError: x is undefined'])
  await posthog.shutdown(1000)
})

test('getAllFlags reports the failure, keeps the other local values and merges the server answer', async () => {
  const { client: posthog, errors } = client()
  await posthog.waitForLocalEvaluationReady(2000)
  expect(await posthog.getAllFlags('u')).toEqual({ fine: true, broken: 'from-server' })
  expect(errors).toHaveLength(1)
  await posthog.shutdown(1000)
})

test('getFeatureFlagPayload rejects with the failure, as upstream does', async () => {
  const { client: posthog } = client()
  await posthog.waitForLocalEvaluationReady(2000)
  await expect(posthog.getFeatureFlagPayload('broken', 'u')).rejects.toThrow('x is undefined')
  await posthog.shutdown(1000)
})
