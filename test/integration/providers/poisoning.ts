// What someone with write access to the store can and cannot do, run against each real store by its own test file,
// through the public client: entries written straight into Redis, PostgreSQL or the file never change an answer
// unless they pass the codec (right HMAC tag, within the size bound), and no secret ever reaches the store.
import nock from 'nock'
import { PostHog } from '../../../src/entrypoints/index.node'
import { type FlagDefinitionCacheData, FlagDefinitionsCodec } from '../../../src/experimental'
import { flagDefinition } from '../../helpers/definitions'
import type { ProviderHarness } from './contract'
import { RecordingLogger, uniqueName } from './fixtures'

const HOST = 'http://poisoning.example.com'
const PROJECT_KEY = 'phc_poisoning_project'
const PERSONAL_KEY = 'phx_personal_key_that_must_never_be_stored'

/** The value `probe` settles on within 5 s (its last value if it never settles on a defined one). */
async function eventually<T>(probe: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + 5000
  let value = await probe()
  while (value === undefined && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    value = await probe()
  }
  return value
}

const flag = (key: string, rollout: number) =>
  flagDefinition(key, { groups: [{ properties: [], rollout_percentage: rollout }] })

/** What PostHog serves: `beta` on for everyone. */
const apiBody = { flags: [flag('beta', 100)], group_type_mapping: {}, cohorts: {} }
/** What an attacker would like the fleet to use: `beta` off, and a flag of their own. */
const poisoned: FlagDefinitionCacheData = {
  flags: [flag('beta', 0), flag('attacker-flag', 100)],
  groupTypeMapping: {},
  cohorts: {},
}

function serveDefinitions(): { calls: () => number } {
  let calls = 0
  nock(HOST)
    .persist()
    .get(/\/api\/feature_flag\/local_evaluation/)
    .reply(() => {
      calls++
      return [200, apiBody]
    })
  nock(HOST).persist().post(/.*/).reply(200, {})
  return { calls: () => calls }
}

export function poisoningContract(harness: () => ProviderHarness): void {
  let key: string
  let logger: RecordingLogger
  const clients: PostHog[] = []

  beforeEach(() => {
    key = uniqueName('poison')
    logger = new RecordingLogger()
  })
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.shutdown(2000)))
    nock.cleanAll()
  })

  const startClient = (providerOptions: { secret?: string; maxEntryBytes?: number }) => {
    const provider = harness().make({ key, logger, timeoutMs: 10_000, ...providerOptions })
    const client = new PostHog(PROJECT_KEY, {
      host: HOST,
      personalApiKey: PERSONAL_KEY,
      flagDefinitionCacheProvider: provider,
      featureFlagsPollingInterval: 60_000,
      fetchRetryCount: 0,
      disableCompression: true,
    })
    client.on('error', () => undefined)
    clients.push(client)
    return { client, provider }
  }

  const answers = async (client: PostHog) => ({
    beta: await client.getFeatureFlag('beta', 'user-1', { onlyEvaluateLocally: true }),
    attacker: await client.getFeatureFlag('attacker-flag', 'user-1', { onlyEvaluateLocally: true }),
  })

  it.each([
    ['tagged with another secret', () => new FlagDefinitionsCodec({ key, secret: 'attacker-secret' })],
    ['without any tag', () => new FlagDefinitionsCodec({ key })],
    ['tagged with the right secret for another key', () => new FlagDefinitionsCodec({ key: 'other', secret: 's3' })],
  ])('an entry %s never changes an answer of a client with a secret; a fetch replaces it', async (_label, codec) => {
    const api = serveDefinitions()
    await harness().writeRawEntry(key, await codec().encode(poisoned))
    const { client, provider } = startClient({ secret: 's3' })
    expect(await answers(client)).toEqual({ beta: true, attacker: undefined })
    expect(api.calls()).toBe(1)
    expect(provider.getStats().invalid).toBeGreaterThanOrEqual(1)
    expect(logger.warnings.join('\n')).toMatch(/HMAC tag/)
    // The fetch replaced the poisoned entry (the client writes it in the background): the next reader with the
    // secret gets PostHog's definitions.
    const reader = harness().make({ key, secret: 's3', logger: new RecordingLogger() })
    expect(await eventually(async () => (await reader.getFlagDefinitions())?.flags.map((f) => f.key))).toEqual(['beta'])
  })

  it('an entry larger than maxEntryBytes is refused before it is read or parsed, and never changes an answer', async () => {
    const api = serveDefinitions()
    const padded = { ...poisoned, cohorts: { '1': { type: 'AND', values: [], padding: 'x'.repeat(200_000) } } }
    await harness().writeRawEntry(key, await new FlagDefinitionsCodec({ key, compress: false }).encode(padded as never))
    const { client, provider } = startClient({ maxEntryBytes: 64 * 1024 })
    expect(await answers(client)).toEqual({ beta: true, attacker: undefined })
    expect(api.calls()).toBe(1)
    expect(provider.getStats().invalid).toBeGreaterThanOrEqual(1)
    expect(logger.warnings.join('\n')).toMatch(/more than maxEntryBytes \(65536\)/)
  })

  it('control: the same entry tagged with the right secret is used, with no API request', async () => {
    const api = serveDefinitions()
    await harness().writeRawEntry(key, await new FlagDefinitionsCodec({ key, secret: 's3' }).encode(poisoned))
    const { client } = startClient({ secret: 's3' })
    expect(await answers(client)).toEqual({ beta: false, attacker: true })
    expect(api.calls()).toBe(0)
  })

  it('stores neither the personal API key nor anything starting phx_, even with the personal API key as secret', async () => {
    serveDefinitions()
    const { client } = startClient({ secret: PERSONAL_KEY })
    expect(await answers(client)).toEqual({ beta: true, attacker: undefined })
    await client.shutdown(2000)
    const stored = await harness().dump()
    expect(stored).toContain('beta') // the dump does see the entry
    expect(stored).not.toContain(PERSONAL_KEY)
    expect(stored).not.toContain('phx_')
  })
}
