import { createHash } from 'node:crypto'
import { type AddressInfo, createServer, type Socket } from 'node:net'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import {
  type DynamoDBClientLike,
  DynamoDBFlagDefinitionCache,
  type DynamoDBFlagDefinitionCacheOptions,
  dynamoDBFlagDefinitionCacheCreateTableInput,
  flagDefinitionsStorageName,
} from '../../../src/experimental'
import { dynamoClient, dynamodb, describeWithDynalite } from '../../helpers/dynalite'
import { failFastContract, type ProviderHarness, providerContract } from './contract'
import { poisoningContract } from './poisoning'
import { RecordingLogger, sampleDefinitions, sleep, uniqueName } from './fixtures'
import { largeDefinitions } from '../../helpers/large-definitions'
import { blackHole, type BlackHole, closedPort } from './net-helpers'

describeWithDynalite('DynamoDBFlagDefinitionCache', (server) => {
  const table = uniqueName('flags')
  let client: dynamodb.DynamoDBClient

  const headKey = (key: string) => ({ pk: { S: flagDefinitionsStorageName(key) } })
  const make = (
    options: Partial<DynamoDBFlagDefinitionCacheOptions> & { key: string },
    via: DynamoDBClientLike = client
  ) => new DynamoDBFlagDefinitionCache(via, { commands: dynamodb, table, timeoutMs: 10_000, ...options })
  const head = async (key: string) =>
    (await client.send(new dynamodb.GetItemCommand({ TableName: table, Key: headKey(key), ConsistentRead: true }))).Item
  /** Every item of the table (a Scan returns at most 1 MB per page). */
  const allItems = async (name = table) => {
    const items: Record<string, dynamodb.AttributeValue>[] = []
    let start: Record<string, dynamodb.AttributeValue> | undefined
    do {
      const page = await client.send(
        new dynamodb.ScanCommand({ TableName: name, ConsistentRead: true, ExclusiveStartKey: start })
      )
      items.push(...(page.Items ?? []))
      start = page.LastEvaluatedKey
    } while (start)
    return items
  }
  const chunksOf = async (key: string) =>
    (await allItems()).map((item) => item.pk.S!).filter((pk) => pk.startsWith(`${flagDefinitionsStorageName(key)}#`))
  /** Overwrites attributes of the head item of `key`, as another program with access to the table could. */
  const setHead = (key: string, attributes: Record<string, dynamodb.AttributeValue>) => {
    const names = Object.keys(attributes)
    return client.send(
      new dynamodb.UpdateItemCommand({
        TableName: table,
        Key: headKey(key),
        UpdateExpression: `SET ${names.map((_, i) => `#a${i} = :a${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#a${i}`, name])),
        ExpressionAttributeValues: Object.fromEntries(names.map((name, i) => [`:a${i}`, attributes[name]])),
      })
    )
  }
  const digest = (bytes: Uint8Array) => ({ S: createHash('sha256').update(bytes).digest('hex') })

  beforeAll(async () => {
    client = dynamoClient(server().endpoint)
    await client.send(new dynamodb.CreateTableCommand(dynamoDBFlagDefinitionCacheCreateTableInput(table)))
  })
  afterAll(() => client.destroy())

  const harness: ProviderHarness = {
    make: (options) => make(options),
    writeRawEntry: async (key, payload) => {
      const bytes = Buffer.from(payload, 'utf8')
      await setHead(key, {
        fetched_at: { N: String(Date.now()) },
        data: { B: bytes },
        size: { N: String(bytes.length) },
        digest: digest(bytes),
        chunks: { N: '0' },
      })
    },
    // Binary attributes as text: the payloads are UTF-8 (a header line, then JSON or base64).
    dump: async () =>
      JSON.stringify(await allItems(), (_key, value: unknown) =>
        value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value
      ),
  }
  describe('contract', () => providerContract(() => harness))
  describe('poisoned entries', () => poisoningContract(() => harness))

  it('works through a DynamoDBDocumentClient with the same commands', async () => {
    const documents = DynamoDBDocumentClient.from(client)
    const key = uniqueName('doc')
    const writer = make({ key }, documents)
    expect(await writer.shouldFetchFlagDefinitions()).toBe(true)
    await writer.onFlagDefinitionsReceived(sampleDefinitions('doc'))
    expect(await make({ key }, documents).getFlagDefinitions()).toEqual(sampleDefinitions('doc'))
    expect(await make({ key }).getFlagDefinitions()).toEqual(sampleDefinitions('doc'))
  })

  it('keeps a small entry in one item: gzip-compressed, keyed by a hash, the key never in clear', async () => {
    const key = `phc_project_key_in_clear_${process.pid}`
    const writer = make({ key })
    await writer.shouldFetchFlagDefinitions()
    await writer.onFlagDefinitionsReceived(sampleDefinitions())
    const item = (await head(key))!
    expect(item.chunks).toEqual({ N: '0' })
    expect(Buffer.from(item.data.B!).toString('utf8')).toMatch(/^phfd\/\d+ gzip /) // gzipped even when small
    expect(item.lease).toBeUndefined() // released in the same write
    expect(Math.abs(Number(item.fetched_at.N) - Date.now())).toBeLessThan(5_000)
    expect(JSON.stringify(await allItems())).not.toContain(key)
    expect(await chunksOf(key)).toEqual([])
  })

  it('stores and reads back a 3 MB entry over chunk items, each under the 400 KB item limit', async () => {
    const key = uniqueName('large')
    const data = largeDefinitions(3_000_000)
    expect(JSON.stringify(data).length).toBeGreaterThan(3_000_000)
    const writer = make({ key })
    expect(await writer.shouldFetchFlagDefinitions()).toBe(true)
    await writer.onFlagDefinitionsReceived(data)
    expect(writer.getStats()).toMatchObject({ writes: 1, errors: 0 })
    const chunks = await chunksOf(key)
    expect(chunks.length).toBeGreaterThanOrEqual(5)
    expect(Number((await head(key))!.chunks.N)).toBe(chunks.length)
    const reader = make({ key })
    expect(await reader.getFlagDefinitions()).toEqual(data)
    expect(reader.getStats().hits).toBe(1)
  })

  it('a writer that dies between chunks leaves the previous complete entry readable, and the next write succeeds', async () => {
    const key = uniqueName('killed')
    const previous = largeDefinitions(1_500_000, 'previous')
    await make({ key }).onFlagDefinitionsReceived(previous)
    const before = await chunksOf(key)

    // The dying writer: its third chunk write never completes (the process froze or was killed mid-write).
    let chunkPuts = 0
    const dying = {
      send: (command: object, options?: { abortSignal?: AbortSignal }) => {
        if (command instanceof dynamodb.PutItemCommand && ++chunkPuts >= 3) return new Promise<never>(() => undefined)
        return client.send(command as dynamodb.GetItemCommand, options)
      },
    }
    const logger = new RecordingLogger()
    const writer = make({ key, maxAgeMs: 1, timeoutMs: 1_000, logger }, dying)
    await sleep(5)
    expect(await writer.shouldFetchFlagDefinitions()).toBe(true)
    await writer.onFlagDefinitionsReceived(largeDefinitions(1_500_000, 'dying'))
    expect(logger.warnings.join('\n')).toMatch(/could not write the definitions/)
    expect((await chunksOf(key)).length).toBeGreaterThan(before.length) // its first chunks did land

    expect(await make({ key }).getFlagDefinitions()).toEqual(previous)

    const next = largeDefinitions(1_500_000, 'next')
    await sleep(1_100) // the dead writer's lease lapses (leaseMs = maxAgeMs = 1 ms here, but let it be)
    const successor = make({ key, maxAgeMs: 1 })
    expect(await successor.shouldFetchFlagDefinitions()).toBe(true)
    await successor.onFlagDefinitionsReceived(next)
    expect(await make({ key }).getFlagDefinitions()).toEqual(next)
  })

  it('marks chunk items with an expires_at for DynamoDB TTL, so chunks of a dead writer go away', async () => {
    const key = uniqueName('ttl')
    await make({ key }).onFlagDefinitionsReceived(largeDefinitions(800_000))
    const items = (await allItems()).filter((item) => item.pk.S!.startsWith(`${flagDefinitionsStorageName(key)}#`))
    expect(items.length).toBeGreaterThan(0)
    for (const item of items) {
      const expiresAt = Number(item.expires_at.N) * 1000
      expect(expiresAt).toBeGreaterThan(Date.now() + 23 * 3600_000)
    }
    expect((await head(key))!.expires_at).toBeUndefined() // the head itself never expires
  })

  it('keeps the chunks of the replaced write for one more write (a reader of the old head still finds them), then removes them', async () => {
    const key = uniqueName('generations')
    const write = async (marker: string) => {
      const writer = make({ key, maxAgeMs: 1 })
      await sleep(3)
      expect(await writer.shouldFetchFlagDefinitions()).toBe(true)
      await writer.onFlagDefinitionsReceived(largeDefinitions(800_000, marker))
      return (await head(key))!.generation.S!
    }
    const first = await write('first')
    const second = await write('second')
    const names = await chunksOf(key)
    expect(names.some((name) => name.includes(`#${first}#`))).toBe(true) // still there for a slow reader
    const third = await write('third')
    const after = await chunksOf(key)
    expect(after.some((name) => name.includes(`#${first}#`))).toBe(false)
    expect(after.some((name) => name.includes(`#${second}#`))).toBe(true)
    expect(after.some((name) => name.includes(`#${third}#`))).toBe(true)
  })

  it('a reader whose head was replaced twice while it read the chunks looks again and gets the newest entry', async () => {
    const key = uniqueName('slow-reader')
    const write = async (marker: string) => {
      const writer = make({ key, maxAgeMs: 1 })
      await sleep(3)
      expect(await writer.shouldFetchFlagDefinitions()).toBe(true)
      await writer.onFlagDefinitionsReceived(largeDefinitions(800_000, marker))
    }
    await write('first')
    let paused = false
    const slow: DynamoDBClientLike = {
      send: async (command, options) => {
        const input = (command as dynamodb.GetItemCommand).input
        const isChunkRead = command instanceof dynamodb.GetItemCommand && input.Key!.pk.S!.includes('#')
        if (isChunkRead && !paused) {
          paused = true
          // While this reader holds the first head, two newer writes land: the second removes the first's chunks.
          await write('second')
          await write('third')
        }
        return client.send(command as dynamodb.GetItemCommand, options)
      },
    }
    const reader = make({ key }, slow)
    const read = await reader.getFlagDefinitions()
    expect(read?.flags[0].key).toBe('third-0')
    expect(reader.getStats()).toMatchObject({ hits: 1, invalid: 0 })
  })

  it('a write refused because a fresher copy exists removes the chunks it had written', async () => {
    const key = uniqueName('refused')
    await make({ key }).onFlagDefinitionsReceived(sampleDefinitions('current'))
    await make({ key }).onFlagDefinitionsReceived(largeDefinitions(800_000, 'late'))
    expect(await chunksOf(key)).toEqual([])
    expect(await make({ key }).getFlagDefinitions()).toEqual(sampleDefinitions('current'))
  })

  it.each([
    ['a head naming a billion chunks', { chunks: { N: '1000000000' }, generation: { S: 'x' } }, /at most 32/],
    ['a head whose chunks were never written', { chunks: { N: '2' }, generation: { S: 'nope' } }, /chunk 1 of 2/],
    ['a payload that does not match its digest', { digest: { S: 'f00d' } }, /digest/],
    ['data of the wrong type (a string, not binary)', { data: { S: 'phfd/2 json -\n{}' } }, /no data/],
    ['a chunk count that is not a whole number', { chunks: { N: '1.5' }, generation: { S: 'x' } }, /1.5 chunks/],
  ])('treats %s as unusable and says why', async (_label, attributes, reason) => {
    const key = uniqueName('attacker')
    await make({ key }).onFlagDefinitionsReceived(sampleDefinitions())
    await setHead(key, attributes as Record<string, dynamodb.AttributeValue>)
    const logger = new RecordingLogger()
    const reader = make({ key, logger })
    expect(await reader.getFlagDefinitions()).toBeUndefined()
    expect(reader.getStats().invalid).toBe(1)
    expect(logger.warnings.join('\n')).toMatch(reason)
  })

  it('refuses an entry whose recorded size exceeds maxEntryBytes without reading its chunks', async () => {
    const key = uniqueName('too-large')
    await make({ key }).onFlagDefinitionsReceived(largeDefinitions(1_500_000))
    let gets = 0
    const counting: DynamoDBClientLike = {
      send: (command, options) => {
        if (command instanceof dynamodb.GetItemCommand) gets++
        return client.send(command as dynamodb.GetItemCommand, options)
      },
    }
    const logger = new RecordingLogger()
    const reader = make({ key, logger, maxEntryBytes: 1_000_000 }, counting)
    expect(await reader.getFlagDefinitions()).toBeUndefined()
    expect(logger.warnings.join('\n')).toMatch(/more than maxEntryBytes \(1000000\); not read/)
    expect(gets).toBe(1) // the head only
  })

  it('counts definitions dated more than maxAgeMs in the future (a clock far ahead) as stale', async () => {
    const key = uniqueName('future')
    await make({ key }).onFlagDefinitionsReceived(sampleDefinitions())
    expect(await make({ key }).shouldFetchFlagDefinitions()).toBe(false)
    await setHead(key, { fetched_at: { N: String(Date.now() + 120_000) } })
    expect(await make({ key, maxAgeMs: 30_000 }).shouldFetchFlagDefinitions()).toBe(true)
  })

  it('counts a fetched_at that is not a number as stale, so a foreign write cannot freeze the fleet', async () => {
    const key = uniqueName('wrong-type')
    await make({ key }).onFlagDefinitionsReceived(sampleDefinitions())
    await setHead(key, { fetched_at: { S: 'yesterday' } })
    const provider = make({ key })
    expect(await provider.shouldFetchFlagDefinitions()).toBe(true)
    await provider.onFlagDefinitionsReceived(sampleDefinitions('repaired'))
    expect(await make({ key }).getFlagDefinitions()).toEqual(sampleDefinitions('repaired'))
  })

  it('counts a lease taken by a clock more than its leaseMs ahead as free (a skewed holder blocks nobody)', async () => {
    const key = uniqueName('lease-future')
    const holder = make({ key, leaseMs: 5_000 })
    expect(await holder.shouldFetchFlagDefinitions()).toBe(true)
    expect(await make({ key }).shouldFetchFlagDefinitions()).toBe(false)
    // What a holder whose clock runs 60 s ahead writes: taken "at" now + 60 s, for 5 s.
    const skewed = Date.now() + 60_000
    await setHead(key, {
      lease_expires: { N: String(skewed + 5_000) },
      lease_valid_from: { N: String(skewed - 5_000) },
    })
    expect(await make({ key }).shouldFetchFlagDefinitions()).toBe(true)
  })

  it('honours a lease taken by a clock less than its leaseMs ahead (a lease lasts at most twice leaseMs)', async () => {
    const key = uniqueName('lease-slightly-ahead')
    expect(await make({ key, leaseMs: 5_000 }).shouldFetchFlagDefinitions()).toBe(true)
    const skewed = Date.now() + 3_000
    await setHead(key, {
      lease_expires: { N: String(skewed + 5_000) },
      lease_valid_from: { N: String(skewed - 5_000) },
    })
    expect(await make({ key }).shouldFetchFlagDefinitions()).toBe(false)
  })

  describe('the shared ETag (a 304 marks the entry fresh)', () => {
    /** The attributes of a stored entry: what a 304 must leave exactly as they were. */
    const ENTRY = ['data', 'size', 'digest', 'chunks', 'generation', 'previous_generation', 'previous_chunks', 'etag']
    const entryOf = (item: Record<string, dynamodb.AttributeValue>) =>
      Object.fromEntries(ENTRY.map((name) => [name, item[name]]))
    /** Stores `data` with `etag` through the lease, then lets it go stale and has `provider` take the lease. */
    const storeThenGoStale = async (key: string, etag: string | undefined, maxAgeMs = 500) => {
      const writer = make({ key, maxAgeMs, leaseMs: maxAgeMs })
      expect(await writer.shouldFetchFlagDefinitions()).toBe(true)
      await writer.onFlagDefinitionsReceived({ ...largeDefinitions(800_000, 'kept'), ...(etag ? { etag } : {}) })
      await sleep(maxAgeMs + 50)
      expect(await writer.shouldFetchFlagDefinitions()).toBe(true)
      return writer
    }

    it('stores the ETag on the head item with the data, and a write without one removes it', async () => {
      const key = uniqueName('etag')
      const writer = make({ key, maxAgeMs: 1 })
      await writer.onFlagDefinitionsReceived({ ...sampleDefinitions('one'), etag: '"e1"' })
      expect((await head(key))!.etag).toEqual({ S: '"e1"' })
      expect((await make({ key }).getFlagDefinitions())?.etag).toBe('"e1"')
      await sleep(5)
      await writer.onFlagDefinitionsReceived(sampleDefinitions('two'))
      expect((await head(key))!.etag).toBeUndefined()
      expect(await writer.onFlagDefinitionsNotModified!('"e1"')).toBe(false) // "e1" no longer describes the data
    })

    it('a 304 stamps fetched_at and releases the lease without rewriting the entry or its chunks', async () => {
      const key = uniqueName('not-modified')
      const writer = await storeThenGoStale(key, '"e1"')
      const before = (await head(key))!
      const chunksBefore = await chunksOf(key)
      expect(chunksBefore.length).toBeGreaterThan(0)
      expect(before.lease).toBeDefined() // the writer holds it again
      await sleep(5)
      expect(await writer.onFlagDefinitionsNotModified!('"e1"')).toBe(true)
      const reader = make({ key, maxAgeMs: 500 })
      expect(await reader.shouldFetchFlagDefinitions()).toBe(false) // fresh again, and nobody holds the lease
      const after = (await head(key))!
      expect(entryOf(after)).toEqual(entryOf(before))
      expect(Number(after.fetched_at.N)).toBeGreaterThan(Number(before.fetched_at.N))
      expect(after.lease).toBeUndefined()
      expect(after.lease_expires).toBeUndefined()
      expect(await chunksOf(key)).toEqual(chunksBefore)
      expect(writer.getStats().markedFresh).toBe(1)
      expect((await reader.getFlagDefinitions())?.flags[0].key).toBe('kept-0')
    })

    it.each([
      ['another ETag', '"e1"'],
      ['no ETag (written by a build that kept none)', undefined],
    ])(
      'an entry stored with %s is left alone and answers false; the holder keeps the lease and stores in full',
      async (_label, stored) => {
        const key = uniqueName('other-etag')
        const writer = await storeThenGoStale(key, stored)
        const before = (await head(key))!
        expect(await writer.onFlagDefinitionsNotModified!('"e2"')).toBe(false)
        expect(await head(key)).toEqual(before) // not stamped, lease untouched
        expect(await make({ key, maxAgeMs: 500 }).shouldFetchFlagDefinitions()).toBe(false) // busy: still the holder's
        await writer.onFlagDefinitionsReceived({ ...sampleDefinitions('full'), etag: '"e2"' })
        const after = (await head(key))!
        expect(after.etag).toEqual({ S: '"e2"' })
        expect(after.lease).toBeUndefined() // stored as the owner
        expect((await make({ key }).getFlagDefinitions())?.flags[0].key).toBe('flag-full')
      }
    )

    it("a 304 by a process whose lease lapsed marks the entry fresh but leaves the new holder's lease", async () => {
      const key = uniqueName('not-owner')
      const late = await storeThenGoStale(key, '"e1"') // holds a lease of 500 ms
      await sleep(550) // it lapses during a slow request
      // A lease longer than maxAgeMs, so it cannot lapse during the test (the warning about that is expected).
      const holder = make({ key, maxAgeMs: 500, leaseMs: 10_000, logger: new RecordingLogger() })
      expect(await holder.shouldFetchFlagDefinitions()).toBe(true)
      const leased = (await head(key))!
      expect(await late.onFlagDefinitionsNotModified!('"e1"')).toBe(true)
      const after = (await head(key))!
      expect(Number(after.fetched_at.N)).toBeGreaterThan(Number(leased.fetched_at.N))
      expect([after.lease, after.lease_expires]).toEqual([leased.lease, leased.lease_expires])
      // Only the holder's own 304 releases it.
      expect(await holder.onFlagDefinitionsNotModified!('"e1"')).toBe(true)
      expect((await head(key))!.lease).toBeUndefined()
    })

    it('has no change subscription: other processes see a write at their next poll', () => {
      expect(make({ key: uniqueName('no-push') }).subscribe).toBeUndefined()
    })
  })

  it('uses the configured key attribute name', async () => {
    const custom = uniqueName('custom')
    await client.send(new dynamodb.CreateTableCommand(dynamoDBFlagDefinitionCacheCreateTableInput(custom, 'cache_key')))
    const key = uniqueName('k')
    const writer = make({ key, table: custom, keyAttribute: 'cache_key' })
    expect(await writer.shouldFetchFlagDefinitions()).toBe(true)
    await writer.onFlagDefinitionsReceived(sampleDefinitions())
    const items = await allItems(custom)
    expect(items).toHaveLength(1)
    expect(items[0].cache_key.S).toBe(flagDefinitionsStorageName(key))
    expect(await make({ key, table: custom, keyAttribute: 'cache_key' }).getFlagDefinitions()).toEqual(
      sampleDefinitions()
    )
  })

  it('with createTable: true creates the documented table once, even when instances race to do it', async () => {
    const created = uniqueName('created')
    const logger = new RecordingLogger()
    const providers = Array.from({ length: 4 }, () => make({ key: 'k', table: created, createTable: true, logger }))
    const answers = await Promise.all(providers.map((p) => p.shouldFetchFlagDefinitions()))
    expect(logger.warnings).toEqual([])
    expect(answers.filter(Boolean)).toHaveLength(1)
    const { Table } = await client.send(new dynamodb.DescribeTableCommand({ TableName: created }))
    expect(Table?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }])
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST')
  })

  it('without createTable, a missing table is a fallback with a message naming the table and the fix', async () => {
    const logger = new RecordingLogger()
    const provider = make({ key: 'k', table: 'no_such_table', logger })
    expect(await provider.shouldFetchFlagDefinitions()).toBe(true)
    expect(logger.warnings.join('\n')).toMatch(/"no_such_table" does not exist.*createTable: true/)
  })

  it.each([
    ['no commands', {}, /options.commands must hold .*GetItemCommand/],
    [
      'createTable without CreateTableCommand',
      { createTable: true, commands: { ...dynamodb, CreateTableCommand: undefined } },
      /missing CreateTableCommand/,
    ],
    ['a table name with a space', { table: 'my table' }, /options.table must be a DynamoDB table name/],
    ['an empty key attribute', { keyAttribute: '' }, /options.keyAttribute/],
  ])('rejects options with %s', (_label, options, message) => {
    const base = { key: 'k', commands: dynamodb } as DynamoDBFlagDefinitionCacheOptions
    const given = _label === 'no commands' ? { key: 'k' } : { ...base, ...options }
    expect(() => new DynamoDBFlagDefinitionCache(client, given as DynamoDBFlagDefinitionCacheOptions)).toThrow(message)
  })

  it('rejects something that is not a DynamoDB client', () => {
    expect(() => new DynamoDBFlagDefinitionCache({} as never, { key: 'k', commands: dynamodb })).toThrow(
      /must be a DynamoDBClient/
    )
  })

  it('reads strongly consistently, always (a freshness check or read must see the latest write)', async () => {
    const inputs: { ConsistentRead?: boolean }[] = []
    const recording: DynamoDBClientLike = {
      send: (command, options) => {
        if (command instanceof dynamodb.GetItemCommand) inputs.push(command.input)
        return client.send(command as dynamodb.GetItemCommand, options)
      },
    }
    const key = uniqueName('consistent')
    const provider = make({ key }, recording)
    await provider.shouldFetchFlagDefinitions()
    await provider.onFlagDefinitionsReceived(largeDefinitions(800_000))
    expect(await make({ key }, recording).getFlagDefinitions()).toBeDefined()
    expect(inputs.length).toBeGreaterThanOrEqual(4) // the check, the head, its chunks
    expect(inputs.every((input) => input.ConsistentRead === true)).toBe(true)
  })

  it('never destroys the client it was given', async () => {
    const provider = make({ key: uniqueName('destroy') })
    await provider.shouldFetchFlagDefinitions()
    await provider.shutdown()
    expect((await client.send(new dynamodb.ListTablesCommand({}))).TableNames).toContain(table)
  })

  describe('when DynamoDB is unreachable', () => {
    const clients: dynamodb.DynamoDBClient[] = []
    let hole: BlackHole
    let port = 0
    beforeAll(async () => {
      hole = await blackHole()
      port = await closedPort()
    })
    afterAll(async () => {
      for (const c of clients) c.destroy()
      await hole.close()
    })
    const unreachable = (targetPort: () => number) => (logger: RecordingLogger) => {
      const c = dynamoClient(`http://127.0.0.1:${targetPort()}`)
      clients.push(c)
      return new DynamoDBFlagDefinitionCache(c, { commands: dynamodb, table, key: 'k', timeoutMs: 300, logger })
    }
    it('cancels the HTTP request of an operation that ran out of time, instead of leaving it open', async () => {
      const open = new Set<Socket>()
      const silent = createServer((socket) => {
        open.add(socket)
        socket.resume() // read (and drop) the request, so the client's close is seen
        socket.on('error', () => undefined)
        socket.on('close', () => open.delete(socket))
      })
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
      const c = dynamoClient(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`, { maxAttempts: 1 })
      clients.push(c)
      try {
        const provider = new DynamoDBFlagDefinitionCache(c, {
          commands: dynamodb,
          table,
          key: 'k',
          timeoutMs: 300,
          logger: new RecordingLogger(),
        })
        expect(await provider.shouldFetchFlagDefinitions()).toBe(true)
        // The abort closes the socket at once; without it the request would stay open as long as the server.
        const deadline = Date.now() + 3_000
        while (open.size > 0 && Date.now() < deadline) await sleep(20)
        expect(open.size).toBe(0)
      } finally {
        for (const socket of open) socket.destroy()
        await new Promise<void>((resolve) => silent.close(() => resolve()))
      }
    })

    failFastContract(
      'a closed port',
      unreachable(() => port)
    )
    failFastContract(
      'a server that never answers',
      unreachable(() => hole.port)
    )
  })
})
