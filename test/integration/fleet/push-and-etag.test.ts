// Each shipped provider against its real store: a write by one instance reaches another's subscription (never its
// own; DynamoDB has no push), the ETag is stored with the entry, and a 304 marks the entry fresh without rewriting
// it or notifying.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Redis from 'ioredis'
import { Pool } from 'pg'
import {
  DynamoDBFlagDefinitionCache,
  dynamoDBFlagDefinitionCacheCreateTableInput,
  FileFlagDefinitionCache,
  PostgresFlagDefinitionCache,
  RedisFlagDefinitionCache,
  type FlagDefinitionCacheProvider,
} from '../../../src/experimental'
import { flagDefinitionsStorageName } from '../../../src/experimental/lease/options'
import { postgresChangeChannel } from '../../../src/experimental/providers/postgres-notifications'
import { describeWithDynalite, dynamoClient, dynamodb } from '../../helpers/dynalite'
import { DATABASE_URL, describeWith, REDIS_URL } from '../../helpers/services'
import { RecordingLogger, sampleDefinitions, sleep, uniqueName } from '../providers/fixtures'

interface Pair {
  writer: FlagDefinitionCacheProvider
  reader: FlagDefinitionCacheProvider
  logger: RecordingLogger
  /**
   * Resolves once `count` subscriptions are established on the store (they are set up asynchronously); absent for
   * a store without push.
   */
  subscribed?: (count: number) => Promise<void>
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

async function waitFor(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (!condition() && Date.now() < deadline) await sleep(10)
  return condition()
}

function behaviours(make: (maxAgeMs: number) => Promise<Pair>, { push = true } = {}): void {
  const opened: Pair[] = []
  const pair = async (maxAgeMs = 60_000) => {
    const made = await make(maxAgeMs)
    opened.push(made)
    return made
  }
  const stops: (() => unknown)[] = []
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop()
    for (const { writer, reader } of opened.splice(0)) {
      await writer.shutdown()
      await reader.shutdown()
    }
  })

  // Declared per provider rather than skipped, so a run lists only what each provider is held to.
  if (!push) {
    it('offers no change subscription: the client polls', async () => {
      const { writer, reader } = await pair()
      expect([writer.subscribe, reader.subscribe]).toEqual([undefined, undefined])
    })
  } else {
    it("a write by one instance notifies another instance's subscription, not its own", async () => {
      const { writer, reader, subscribed } = await pair()
      let heardByReader = 0
      let heardByWriter = 0
      stops.push(
        reader.subscribe!(() => heardByReader++)!,
        writer.subscribe!(() => heardByWriter++)!
      )
      await subscribed!(2)
      expect(await writer.shouldFetchFlagDefinitions()).toBe(true)
      await writer.onFlagDefinitionsReceived({ ...sampleDefinitions('pushed'), etag: '"e1"' })
      expect(await waitFor(() => heardByReader > 0, 3000)).toBe(true)
      await sleep(100)
      if (!(writer instanceof FileFlagDefinitionCache)) expect(heardByWriter).toBe(0) // a directory watch cannot tell
      expect((await reader.getFlagDefinitions())?.flags[0].key).toBe('flag-pushed')
    })
  }

  it('stores the ETag with the data and returns it', async () => {
    const { writer, reader } = await pair()
    expect(await writer.shouldFetchFlagDefinitions()).toBe(true)
    await writer.onFlagDefinitionsReceived({ ...sampleDefinitions(), etag: '"e1"' })
    expect((await reader.getFlagDefinitions())?.etag).toBe('"e1"')
  })

  it('a 304 marks the entry fresh without rewriting it or notifying; another ETag is refused', async () => {
    const maxAgeMs = 600
    const { writer, reader, subscribed } = await pair(maxAgeMs)
    expect(await writer.shouldFetchFlagDefinitions()).toBe(true)
    await writer.onFlagDefinitionsReceived({ ...sampleDefinitions('kept'), etag: '"e1"' })
    let heard = 0
    if (subscribed) {
      stops.push(reader.subscribe!(() => heard++)!)
      await subscribed(1)
    }
    await sleep(maxAgeMs + 50) // now stale
    expect(await writer.shouldFetchFlagDefinitions()).toBe(true)
    expect(await writer.onFlagDefinitionsNotModified!('"other"')).toBe(false) // the entry holds "e1"
    expect(await writer.onFlagDefinitionsNotModified!('"e1"')).toBe(true)
    // Fresh again, so nobody fetches, and the lease was released.
    expect(await reader.shouldFetchFlagDefinitions()).toBe(false)
    expect(await writer.shouldFetchFlagDefinitions()).toBe(false)
    expect((await reader.getFlagDefinitions())?.flags[0].key).toBe('flag-kept')
    await sleep(150)
    expect(heard).toBe(0)
  })
}

describeWith('redis', 'RedisFlagDefinitionCache: push and shared ETag', () => {
  const clients: Redis[] = []
  const keyPrefix = `test:fleet:${process.pid}:`
  afterAll(async () => {
    const keys = await clients[0]?.keys(`${keyPrefix}*`)
    if (keys?.length) await clients[0].del(...keys)
    await Promise.all(clients.map((client) => client.quit()))
  })
  behaviours(async (maxAgeMs) => {
    const logger = new RecordingLogger()
    const key = uniqueName('redis-push')
    const make = () => {
      const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })
      clients.push(client)
      return new RedisFlagDefinitionCache(client, { key, keyPrefix, maxAgeMs, leaseMs: maxAgeMs, logger })
    }
    const writer = make()
    const subscribed = (count: number) =>
      eventually(async () => {
        const reply = (await clients[0].pubsub('NUMSUB', writer.channel)) as [string, number]
        return Number(reply[1]) >= count
      }, 'the subscriptions')
    return { writer, reader: make(), logger, subscribed }
  })

  it('never subscribes on the client it was given', async () => {
    const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })
    clients.push(client)
    const provider = new RedisFlagDefinitionCache(client, { key: uniqueName('redis-own') })
    const stop = provider.subscribe!(() => undefined)!
    await sleep(200)
    expect(await client.ping()).toBe('PONG') // a subscribed connection would refuse PING's reply format / commands
    await stop()
  })
})

describeWith('postgres', 'PostgresFlagDefinitionCache: push and shared ETag', () => {
  const table = uniqueName('test_fleet_push')
  const pools: Pool[] = []
  afterAll(async () => {
    await pools[0]?.query(`DROP TABLE IF EXISTS ${table}`)
    await Promise.all(pools.map((pool) => pool.end()))
  })
  behaviours(async (maxAgeMs) => {
    const logger = new RecordingLogger()
    const key = uniqueName('pg-push')
    const make = () => {
      const pool = new Pool({ connectionString: DATABASE_URL, max: 3 })
      pool.on('error', () => undefined)
      pools.push(pool)
      return new PostgresFlagDefinitionCache(pool, { key, table, maxAgeMs, leaseMs: maxAgeMs, logger })
    }
    const channel = postgresChangeChannel(flagDefinitionsStorageName(key))
    // A listener's last statement is its LISTEN, visible to the same role in pg_stat_activity.
    const subscribed = (count: number) =>
      eventually(async () => {
        const { rows } = await pools[0].query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query = $1 AND state = 'idle'",
          [`LISTEN ${channel}`]
        )
        // The probe round trip follows the LISTEN; give it its moment.
        if ((rows[0] as { n: number }).n < count) return false
        await sleep(200)
        return true
      }, 'the LISTEN connections')
    return { writer: make(), reader: make(), logger, subscribed }
  })

  it('gives the LISTEN connection back at the end of the subscription', async () => {
    const pool = new Pool({ connectionString: DATABASE_URL, max: 2 })
    pools.push(pool)
    const provider = new PostgresFlagDefinitionCache(pool, { key: uniqueName('pg-own'), table })
    const stop = provider.subscribe!(() => undefined)!
    await sleep(500)
    expect(pool.totalCount - pool.idleCount).toBe(1) // checked out for LISTEN
    await stop()
    expect(pool.totalCount - pool.idleCount).toBe(0)
  })
})

describe('FileFlagDefinitionCache: push and shared ETag', () => {
  const directory = mkdtempSync(join(tmpdir(), 'posthog-fleet-push-'))
  afterAll(() => rmSync(directory, { recursive: true, force: true }))
  behaviours(async (maxAgeMs) => {
    const logger = new RecordingLogger()
    const key = uniqueName('file-push')
    const make = () => new FileFlagDefinitionCache({ key, directory, maxAgeMs, leaseMs: maxAgeMs, logger })
    // fs.watch starts once the directory check resolved: a few event-loop turns.
    return { writer: make(), reader: make(), logger, subscribed: () => sleep(100) }
  })
})

describeWithDynalite('DynamoDBFlagDefinitionCache: shared ETag (no push)', (server) => {
  const table = uniqueName('fleet_push')
  const clients: dynamodb.DynamoDBClient[] = []
  beforeAll(async () => {
    const client = dynamoClient(server().endpoint)
    clients.push(client)
    await client.send(new dynamodb.CreateTableCommand(dynamoDBFlagDefinitionCacheCreateTableInput(table)))
  })
  afterAll(() => clients.forEach((client) => client.destroy()))
  behaviours(
    async (maxAgeMs) => {
      const logger = new RecordingLogger()
      const key = uniqueName('dynamodb-push')
      const make = () =>
        new DynamoDBFlagDefinitionCache(clients[0], {
          key,
          commands: dynamodb,
          table,
          maxAgeMs,
          leaseMs: maxAgeMs,
          logger,
        })
      return { writer: make(), reader: make(), logger }
    },
    { push: false }
  )
})
