// The four lease operations on DynamoDB. The head item of a key holds the lease and the entry (or a pointer to its
// chunks); every change to it is one conditional UpdateItem, which DynamoDB applies atomically per item. Reads are
// strongly consistent. DynamoDB has no server clock: times are this process's Date.now(), bounded against skew (see
// the README's DynamoDB section).
import { randomBytes } from 'node:crypto'
import type { FlagDefinitionCacheData } from '../provider'
import type { DynamoDBAttributeValue, DynamoDBClientLike, DynamoDBCommandClasses } from './dynamodb-client'
import { decodePayload, encodeEntry, type EncodedEntry, MAX_CHUNKS } from './dynamodb-entry'
import { dynamoDBFlagDefinitionCacheCreateTableInput } from './dynamodb-table'
import type { ResolvedSharedOptions } from './options'
import type { LeaseOutcome, LeaseStore, ReadOutcome } from './shared-cache'
import { decodeStoredData, STORED_SCHEMA_VERSION } from './stored-entry'

/** The attribute names the provider writes (always through placeholders: several are DynamoDB reserved words). */
const ATTRIBUTES = {
  '#v': 'v',
  '#fa': 'fetched_at',
  '#enc': 'encoding',
  '#data': 'data',
  '#digest': 'digest',
  '#gen': 'generation',
  '#chunks': 'chunks',
  '#prevGen': 'previous_generation',
  '#prevChunks': 'previous_chunks',
  '#lease': 'lease',
  '#lexp': 'lease_expires',
  '#lfrom': 'lease_valid_from',
} as const

/** An item or a value as the SDK returns it: never trusted (anyone with access to the table may have written it). */
type RawItem = Record<string, unknown>

/** Chunks left behind by a writer that died mid-write are removed by DynamoDB TTL (when enabled) after a day. */
const CHUNK_TTL_MS = 24 * 60 * 60 * 1000
const TABLE_ACTIVE_WAIT_MS = 60_000

function attribute(item: RawItem, name: string, type: 'S' | 'N' | 'B'): unknown {
  const value = item[name]
  return value && typeof value === 'object' ? (value as Record<string, unknown>)[type] : undefined
}
function numberOf(item: RawItem, name: string): number | undefined {
  const text = attribute(item, name, 'N')
  const value = typeof text === 'string' ? Number(text) : NaN
  return Number.isFinite(value) ? value : undefined
}
function stringOf(item: RawItem, name: string): string | undefined {
  const value = attribute(item, name, 'S')
  return typeof value === 'string' ? value : undefined
}
function bytesOf(item: RawItem, name: string): Uint8Array | undefined {
  const value = attribute(item, name, 'B')
  return value instanceof Uint8Array ? value : undefined
}

const N = (value: number): DynamoDBAttributeValue => ({ N: String(value) })
const S = (value: string): DynamoDBAttributeValue => ({ S: value })

/** Only the placeholders an expression uses: DynamoDB rejects unused ones. */
function namesIn(...expressions: string[]): Record<string, string> {
  const text = expressions.join(' ')
  return Object.fromEntries(
    Object.entries(ATTRIBUTES).filter(([placeholder]) => new RegExp(`${placeholder}\\b`).test(text))
  )
}

function errorName(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | null)?.name
  return typeof name === 'string' ? name : undefined
}
const isConditionFailure = (error: unknown) => errorName(error) === 'ConditionalCheckFailedException'

// The entry is stale (or unusable) when any of these holds. A fetched_at more than maxAgeMs in the future comes from
// a clock running ahead; counting it as stale bounds what one skewed writer can do to everyone's freshness.
const STALE = `(attribute_not_exists(#fa) OR attribute_not_exists(#v) OR NOT attribute_type(#fa, :number)
  OR #v <> :v OR #fa <= :staleBefore OR #fa > :futureLimit)`
// The lease is free when absent or lapsed, or when its holder's clock runs more than its leaseMs ahead of ours: the
// holder stamps lease_valid_from = its now - leaseMs, a moment still to come for us only in that case. So a skewed
// holder never blocks the others for longer than twice its leaseMs.
const LEASE_FREE = `(attribute_not_exists(#lease) OR NOT attribute_type(#lexp, :number)
  OR #lexp < :now OR #lfrom > :now)`

export class DynamoDBLeaseStore implements LeaseStore {
  private readonly headKey: string
  private tableReady: Promise<void> | undefined

  constructor(
    private readonly client: DynamoDBClientLike,
    private readonly commands: DynamoDBCommandClasses,
    private readonly options: ResolvedSharedOptions,
    private readonly table: string,
    private readonly keyAttribute: string,
    private readonly createTable: boolean
  ) {
    // The schema version is part of the key: during a rolling upgrade to a package that stores another layout, each
    // version keeps its own item and lease instead of overwriting the other's every interval.
    this.headKey = `${options.keyHash}:v${STORED_SCHEMA_VERSION}`
  }

  async tryTakeLease(token: string): Promise<LeaseOutcome> {
    const now = Date.now()
    // A strongly consistent read first: in the steady state most checks find the entry fresh, and a read costs a
    // fraction of a (conditional) write.
    const head = await this.getItem(this.headKey, '#v, #fa, #lease, #lexp, #lfrom')
    if (head && this.isFresh(head, now)) return 'fresh'
    if (head && this.leaseHeld(head, now)) return 'busy'
    const update = 'SET #lease = :token, #lexp = :expires, #lfrom = :validFrom'
    const condition = `${LEASE_FREE} AND ${STALE}`
    try {
      await this.send(
        new this.commands.UpdateItemCommand({
          TableName: this.table,
          Key: this.key(this.headKey),
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: namesIn(update, condition),
          ExpressionAttributeValues: {
            ':token': S(token),
            ':expires': N(now + this.options.leaseMs),
            ':validFrom': N(now - this.options.leaseMs),
            ':now': N(now),
            ...this.staleValues(now),
          },
        })
      )
      return 'taken'
    } catch (error) {
      // Someone else took the lease, or stored fresh definitions, since the read.
      if (isConditionFailure(error)) return 'busy'
      throw error
    }
  }

  async readEntry(): Promise<ReadOutcome> {
    // A second look when a chunk is missing: the head may have moved on to a newer write whose writer then removed
    // the chunks of the one before (chunks live one write longer than their head, so this is rare).
    for (let attempt = 1; ; attempt++) {
      const head = await this.getItem(this.headKey)
      if (!head || head[ATTRIBUTES['#v']] === undefined) return { found: false } // nothing, or only a lease
      const version = numberOf(head, ATTRIBUTES['#v']) ?? head[ATTRIBUTES['#v']]
      if (version !== STORED_SCHEMA_VERSION) return { found: true, ...decodeStoredData(version, undefined) }
      const payload = await this.payloadOf(head)
      if (typeof payload === 'string') {
        if (attempt < 2 && payload.startsWith('chunk')) continue
        return { found: true, ok: false, reason: payload }
      }
      const decoded = await decodePayload(
        version,
        stringOf(head, ATTRIBUTES['#enc']),
        payload,
        stringOf(head, ATTRIBUTES['#digest'])
      )
      return { found: true, ...decoded }
    }
  }

  async writeEntry(data: FlagDefinitionCacheData, token: string | undefined): Promise<void> {
    const entry = await encodeEntry(data)
    const generation = randomBytes(8).toString('hex')
    const now = Date.now()
    // All chunks are stored before the head points at them: a reader never finds a head whose chunks are missing.
    const expiresAt = N(Math.ceil((now + Math.max(CHUNK_TTL_MS, 2 * this.options.maxAgeMs)) / 1000))
    await Promise.all(
      entry.chunks.map((chunk, index) =>
        this.send(
          new this.commands.PutItemCommand({
            TableName: this.table,
            Item: { ...this.key(this.chunkKey(generation, index)), data: { B: chunk }, expires_at: expiresAt },
          })
        )
      )
    )
    // The owner stores unconditionally and releases in the same write; anyone else (its lease lapsed, or it never
    // had one) stores only over a missing or stale entry, so a late write never replaces a fresher copy.
    let replaced = token ? await this.replaceHead(entry, generation, now, token) : undefined
    replaced ??= await this.replaceHead(entry, generation, now, undefined)
    if (!replaced) {
      await this.deleteChunks(generation, entry.chunks.length)
      return
    }
    // The head now names the write it replaced as "previous"; the chunks of the one before that are unreachable.
    const stale = stringOf(replaced, ATTRIBUTES['#prevGen'])
    const staleChunks = numberOf(replaced, ATTRIBUTES['#prevChunks']) ?? 0
    if (stale && stale !== generation) await this.deleteChunks(stale, staleChunks)
  }

  async releaseLease(token: string): Promise<void> {
    const update = 'REMOVE #lease, #lexp, #lfrom'
    const condition = '#lease = :token'
    try {
      await this.send(
        new this.commands.UpdateItemCommand({
          TableName: this.table,
          Key: this.key(this.headKey),
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: namesIn(update, condition),
          ExpressionAttributeValues: { ':token': S(token) },
        })
      )
    } catch (error) {
      if (!isConditionFailure(error)) throw error // not ours (any more): nothing to release
    }
  }

  /** Replaces the head; `undefined` when the condition refused it. Returns the replaced head's attributes. */
  private async replaceHead(
    entry: EncodedEntry,
    generation: string,
    now: number,
    ownerToken: string | undefined
  ): Promise<RawItem | undefined> {
    const inline = entry.chunks.length === 0
    const set = [
      '#v = :v',
      '#fa = :now',
      '#enc = :enc',
      '#digest = :digest',
      '#chunks = :chunks',
      // Read from the item as it was before this update, as DynamoDB evaluates every operand.
      '#prevGen = if_not_exists(#gen, :none)',
      '#prevChunks = if_not_exists(#chunks, :zero)',
      '#gen = :gen',
      ...(inline ? ['#data = :data'] : []),
    ]
    const remove = [...(inline ? [] : ['#data']), ...(ownerToken ? ['#lease', '#lexp', '#lfrom'] : [])]
    const update = `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`
    const condition = ownerToken ? '#lease = :token' : STALE
    try {
      const output = await this.send(
        new this.commands.UpdateItemCommand({
          TableName: this.table,
          Key: this.key(this.headKey),
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: namesIn(update, condition),
          ExpressionAttributeValues: {
            ':v': N(STORED_SCHEMA_VERSION),
            ':now': N(now),
            ':enc': S(entry.encoding),
            ':digest': S(entry.digest),
            ':chunks': N(entry.chunks.length),
            ':none': S(''),
            ':zero': N(0),
            ':gen': S(generation),
            ...(inline ? { ':data': { B: entry.payload } } : {}),
            ...(ownerToken ? { ':token': S(ownerToken) } : this.staleValues(now)),
          },
          ReturnValues: 'ALL_OLD',
        })
      )
      const old = output.Attributes
      return old && typeof old === 'object' ? (old as RawItem) : {}
    } catch (error) {
      if (isConditionFailure(error)) return undefined
      throw error
    }
  }

  /** The stored payload, or why it cannot be had (a message starting with "chunk" when a chunk is missing). */
  private async payloadOf(head: RawItem): Promise<Uint8Array | string> {
    const count = numberOf(head, ATTRIBUTES['#chunks']) ?? 0
    if (count === 0) return bytesOf(head, ATTRIBUTES['#data']) ?? 'stored entry has no data'
    const generation = stringOf(head, ATTRIBUTES['#gen'])
    if (!Number.isInteger(count) || count < 0 || count > MAX_CHUNKS || !generation) {
      return `stored entry names ${count} chunks of write ${JSON.stringify(generation)}; at most ${MAX_CHUNKS} are read`
    }
    const chunks = await Promise.all(
      Array.from({ length: count }, (_, index) => this.getItem(this.chunkKey(generation, index)))
    )
    const parts: Uint8Array[] = []
    for (const [index, chunk] of chunks.entries()) {
      const part = chunk && bytesOf(chunk, ATTRIBUTES['#data'])
      if (!part) return `chunk ${index + 1} of ${count} of the stored entry is missing`
      parts.push(part)
    }
    return Buffer.concat(parts)
  }

  private async deleteChunks(generation: string, count: number): Promise<void> {
    if (!Number.isInteger(count) || count <= 0) return
    const keys = Array.from({ length: Math.min(count, MAX_CHUNKS) }, (_, index) => this.chunkKey(generation, index))
    // Best effort: a chunk that stays behind costs storage only (and TTL removes it when enabled on `expires_at`).
    await Promise.all(
      keys.map((key) =>
        this.send(new this.commands.DeleteItemCommand({ TableName: this.table, Key: this.key(key) })).catch(
          () => undefined
        )
      )
    )
  }

  private isFresh(head: RawItem, now: number): boolean {
    const fetchedAt = numberOf(head, ATTRIBUTES['#fa'])
    return (
      numberOf(head, ATTRIBUTES['#v']) === STORED_SCHEMA_VERSION &&
      fetchedAt !== undefined &&
      fetchedAt > now - this.options.maxAgeMs &&
      fetchedAt <= now + this.options.maxAgeMs
    )
  }

  private leaseHeld(head: RawItem, now: number): boolean {
    const expires = numberOf(head, ATTRIBUTES['#lexp'])
    const validFrom = numberOf(head, ATTRIBUTES['#lfrom'])
    return (
      head[ATTRIBUTES['#lease']] !== undefined &&
      expires !== undefined &&
      expires >= now &&
      !(validFrom !== undefined && validFrom > now)
    )
  }

  private staleValues(now: number): Record<string, DynamoDBAttributeValue> {
    return {
      ':v': N(STORED_SCHEMA_VERSION),
      ':number': S('N'),
      ':staleBefore': N(now - this.options.maxAgeMs),
      ':futureLimit': N(now + this.options.maxAgeMs),
    }
  }

  private key(value: string): Record<string, DynamoDBAttributeValue> {
    return { [this.keyAttribute]: S(value) }
  }

  private chunkKey(generation: string, index: number): string {
    return `${this.headKey}#${generation}#${index}`
  }

  private async getItem(key: string, projection?: string): Promise<RawItem | undefined> {
    const output = await this.send(
      new this.commands.GetItemCommand({
        TableName: this.table,
        Key: this.key(key),
        ConsistentRead: true,
        ...(projection ? { ProjectionExpression: projection, ExpressionAttributeNames: namesIn(projection) } : {}),
      })
    )
    const item = output.Item
    return item && typeof item === 'object' ? (item as RawItem) : undefined
  }

  private async send(command: object): Promise<RawItem> {
    await this.ensureTable()
    try {
      // The abort signal ends the HTTP request when timeoutMs runs out, instead of leaving it open behind the fallback.
      const output = await this.client.send(command, { abortSignal: AbortSignal.timeout(this.options.timeoutMs) })
      return output && typeof output === 'object' ? (output as RawItem) : {}
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') {
        this.tableReady = undefined // created or deleted meanwhile: look again next time
        throw new Error(
          `DynamoDB table "${this.table}" does not exist or is not active yet: create it with ` +
            `dynamoDBFlagDefinitionCacheCreateTableInput() (see the README), or pass createTable: true`,
          { cause: error }
        )
      }
      throw error
    }
  }

  /** With `createTable: true`: creates the table once per instance when missing and waits until it is active. */
  private ensureTable(): Promise<void> {
    if (!this.createTable) return Promise.resolve()
    this.tableReady ??= this.createTableIfMissing().catch((error: unknown) => {
      this.tableReady = undefined // try again on the next call
      throw error
    })
    return this.tableReady
  }

  private async createTableIfMissing(): Promise<void> {
    const { CreateTableCommand, DescribeTableCommand } = this.commands
    if (!CreateTableCommand || !DescribeTableCommand) return // checked by the constructor
    const signal = () => ({ abortSignal: AbortSignal.timeout(this.options.timeoutMs) })
    const describe = async () => {
      const output = (await this.client.send(new DescribeTableCommand({ TableName: this.table }), signal())) as {
        Table?: { TableStatus?: string }
      }
      return output?.Table?.TableStatus
    }
    try {
      if ((await describe()) === 'ACTIVE') return
    } catch (error) {
      if (errorName(error) !== 'ResourceNotFoundException') throw error
      try {
        await this.client.send(
          new CreateTableCommand(dynamoDBFlagDefinitionCacheCreateTableInput(this.table, this.keyAttribute)),
          signal()
        )
      } catch (createError) {
        if (errorName(createError) !== 'ResourceInUseException') throw createError // another process created it
      }
    }
    const deadline = Date.now() + TABLE_ACTIVE_WAIT_MS
    while ((await describe()) !== 'ACTIVE') {
      if (Date.now() > deadline) throw new Error(`DynamoDB table "${this.table}" did not become active`)
      await new Promise((resolve) => setTimeout(resolve, 250).unref())
    }
  }
}
