// The four lease operations on DynamoDB. The head item of a key holds the lease and the entry (or a pointer to its
// chunks); every change to it is one conditional UpdateItem, which DynamoDB applies atomically per item. Reads are
// strongly consistent. A 304 stamps the head fresh in place (markFresh). DynamoDB has no server clock: times are
// this process's Date.now(), bounded against skew (see the README's DynamoDB section). It has no push either.
import { unrefTimeout } from '../../shared/async'
import { oversizedEntry } from '../lease/codec'
import { randomToken } from '../lease/random-token'
import type { LeaseOutcome, LeaseStore, LeaseTiming, ReadLimits, StoredEntry, StoredEntryRead } from '../lease/store'
import type { DynamoDBAttributeValue, DynamoDBClientLike, DynamoDBCommandClasses } from './dynamodb-client'
import { joinPayload, MAX_CHUNKS, type SplitPayload, splitPayload } from './dynamodb-entry'
import { dynamoDBFlagDefinitionCacheCreateTableInput } from './dynamodb-table'

/** The attribute names the provider writes (always through placeholders: several are DynamoDB reserved words). */
const ATTRIBUTES = {
  '#fa': 'fetched_at',
  '#data': 'data',
  '#size': 'size',
  '#digest': 'digest',
  '#etag': 'etag',
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
const STALE = `(attribute_not_exists(#fa) OR NOT attribute_type(#fa, :number)
  OR #fa <= :staleBefore OR #fa > :futureLimit)`
// The lease is free when absent or lapsed, or when its holder's clock runs more than its leaseMs ahead of ours: the
// holder stamps lease_valid_from = its now - leaseMs, a moment still to come for us only in that case. So a skewed
// holder never blocks the others for longer than twice its leaseMs.
const LEASE_FREE = `(attribute_not_exists(#lease) OR NOT attribute_type(#lexp, :number)
  OR #lexp < :now OR #lfrom > :now)`

function isFresh(head: RawItem, now: number, maxAgeMs: number): boolean {
  const fetchedAt = numberOf(head, ATTRIBUTES['#fa'])
  return fetchedAt !== undefined && fetchedAt > now - maxAgeMs && fetchedAt <= now + maxAgeMs
}

function leaseHeld(head: RawItem, now: number): boolean {
  const expires = numberOf(head, ATTRIBUTES['#lexp'])
  const validFrom = numberOf(head, ATTRIBUTES['#lfrom'])
  return (
    head[ATTRIBUTES['#lease']] !== undefined &&
    expires !== undefined &&
    expires >= now &&
    !(validFrom !== undefined && validFrom > now)
  )
}

function staleValues(now: number, maxAgeMs: number): Record<string, DynamoDBAttributeValue> {
  return {
    ':number': S('N'),
    ':staleBefore': N(now - maxAgeMs),
    ':futureLimit': N(now + maxAgeMs),
  }
}

export class DynamoDBLeaseStore implements LeaseStore {
  private tableReady: Promise<void> | undefined

  constructor(
    private readonly client: DynamoDBClientLike,
    private readonly commands: DynamoDBCommandClasses,
    /** The head item's key: {@link flagDefinitionsStorageName} of the key (it includes the schema version). */
    private readonly headKey: string,
    private readonly timeoutMs: number,
    private readonly table: string,
    private readonly keyAttribute: string,
    private readonly createTable: boolean
  ) {}

  async tryTakeLease(token: string, timing: LeaseTiming): Promise<LeaseOutcome> {
    const now = Date.now()
    // A strongly consistent read first: in the steady state most checks find the entry fresh, and a read costs a
    // fraction of a (conditional) write.
    const head = await this.getItem(this.headKey, '#fa, #lease, #lexp, #lfrom')
    if (head && isFresh(head, now, timing.maxAgeMs)) return 'fresh'
    if (head && leaseHeld(head, now)) return 'busy'
    const update = 'SET #lease = :token, #lexp = :expires, #lfrom = :validFrom'
    const taken = await this.updateHead(update, `${LEASE_FREE} AND ${STALE}`, {
      ':token': S(token),
      ':expires': N(now + timing.leaseMs),
      ':validFrom': N(now - timing.leaseMs),
      ':now': N(now),
      ...staleValues(now, timing.maxAgeMs),
    })
    // Refused: someone else took the lease, or stored fresh definitions, since the read.
    return taken ? 'taken' : 'busy'
  }

  async readEntry({ maxEntryBytes }: ReadLimits): Promise<StoredEntryRead | undefined> {
    // A second look when a chunk is missing: the head may have moved on to a newer write whose writer then removed
    // the chunks of the one before (chunks live one write longer than their head, so this is rare).
    for (let attempt = 1; ; attempt++) {
      const head = await this.getItem(this.headKey)
      if (!head || head[ATTRIBUTES['#fa']] === undefined) return undefined // nothing, or only a lease
      const size = numberOf(head, ATTRIBUTES['#size'])
      if (size !== undefined && size > maxEntryBytes) {
        return { refused: oversizedEntry(size, maxEntryBytes, 'not read') }
      }
      const read = await this.payloadOf(head)
      if ('missing' in read) {
        if (attempt < 2) continue
        return { refused: read.missing }
      }
      return read
    }
  }

  async writeEntry(
    { payload, etag }: StoredEntry,
    token: string | undefined,
    { maxAgeMs }: LeaseTiming
  ): Promise<void> {
    const entry = { ...splitPayload(payload), etag }
    const generation = randomToken()
    const now = Date.now()
    // All chunks are stored before the head points at them: a reader never finds a head whose chunks are missing.
    const expiresAt = N(Math.ceil((now + Math.max(CHUNK_TTL_MS, 2 * maxAgeMs)) / 1000))
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
    let replaced = token ? await this.replaceHead(entry, generation, now, { ownerToken: token }) : undefined
    replaced ??= await this.replaceHead(entry, generation, now, { maxAgeMs })
    if (!replaced) {
      await this.deleteChunks(generation, entry.chunks.length)
      return
    }
    // The head now names the write it replaced as "previous"; the chunks of the one before that are unreachable.
    const stale = stringOf(replaced, ATTRIBUTES['#prevGen'])
    const staleChunks = numberOf(replaced, ATTRIBUTES['#prevChunks']) ?? 0
    if (stale && stale !== generation) await this.deleteChunks(stale, staleChunks)
  }

  async markFresh(etag: string, token: string | undefined): Promise<boolean> {
    // One conditional UpdateItem cannot remove the lease only when it is ours, so the owner's stamp (which also
    // releases) is tried first, then the plain stamp: the entry is current either way, the lease is another's.
    const now = Date.now()
    if (token && (await this.stampFresh(etag, now, token))) return true
    return this.stampFresh(etag, now, undefined)
  }

  async releaseLease(token: string): Promise<void> {
    // Refused: not ours (any more), nothing to release.
    await this.updateHead('REMOVE #lease, #lexp, #lfrom', '#lease = :token', { ':token': S(token) })
  }

  /**
   * After a 304: stamps fetched_at if the head holds data with `etag`, leaving the data, digest and chunks as they
   * are (no new generation, so nothing to clean up). With `ownerToken`, only if that token holds the lease, which
   * goes in the same write. False when the condition refused it.
   */
  private async stampFresh(etag: string, now: number, ownerToken: string | undefined): Promise<boolean> {
    const update = `SET #fa = :now${ownerToken ? ' REMOVE #lease, #lexp, #lfrom' : ''}`
    const condition = `#etag = :etag AND attribute_exists(#digest)${ownerToken ? ' AND #lease = :token' : ''}`
    const stamped = await this.updateHead(update, condition, {
      ':now': N(now),
      ':etag': S(etag),
      ...(ownerToken ? { ':token': S(ownerToken) } : {}),
    })
    return stamped !== undefined
  }

  /** Replaces the head; `undefined` when the condition refused it. Returns the replaced head's attributes. */
  private async replaceHead(
    entry: SplitPayload & { etag: string | undefined },
    generation: string,
    now: number,
    condition: { ownerToken: string } | { maxAgeMs: number }
  ): Promise<RawItem | undefined> {
    const ownerToken = 'ownerToken' in condition ? condition.ownerToken : undefined
    const inline = entry.chunks.length === 0
    const set = [
      '#fa = :now',
      '#size = :size',
      '#digest = :digest',
      '#chunks = :chunks',
      // Read from the item as it was before this update, as DynamoDB evaluates every operand.
      '#prevGen = if_not_exists(#gen, :none)',
      '#prevChunks = if_not_exists(#chunks, :zero)',
      '#gen = :gen',
      ...(inline ? ['#data = :data'] : []),
      // The ETag goes with the data it describes, or goes: a 304 must never mark other data fresh.
      ...(entry.etag ? ['#etag = :etag'] : []),
    ]
    const remove = [
      ...(inline ? [] : ['#data']),
      ...(entry.etag ? [] : ['#etag']),
      ...(ownerToken ? ['#lease', '#lexp', '#lfrom'] : []),
    ]
    const update = `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`
    const expression = ownerToken ? '#lease = :token' : STALE
    const output = await this.updateHead(
      update,
      expression,
      {
        ':now': N(now),
        ':size': N(entry.bytes.length),
        ':digest': S(entry.digest),
        ':chunks': N(entry.chunks.length),
        ':none': S(''),
        ':zero': N(0),
        ':gen': S(generation),
        ...(inline ? { ':data': { B: entry.bytes } } : {}),
        ...(entry.etag ? { ':etag': S(entry.etag) } : {}),
        ...('ownerToken' in condition ? { ':token': S(condition.ownerToken) } : staleValues(now, condition.maxAgeMs)),
      },
      'ALL_OLD'
    )
    if (!output) return undefined
    const old = output.Attributes
    return old && typeof old === 'object' ? (old as RawItem) : {}
  }

  /**
   * One conditional UpdateItem of the head item: its output, or undefined when DynamoDB refused it because the
   * condition did not hold (any other failure throws).
   */
  private async updateHead(
    update: string,
    condition: string,
    values: Record<string, DynamoDBAttributeValue>,
    returnValues?: 'ALL_OLD'
  ): Promise<RawItem | undefined> {
    try {
      return await this.send(
        new this.commands.UpdateItemCommand({
          TableName: this.table,
          Key: this.key(this.headKey),
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: namesIn(update, condition),
          ExpressionAttributeValues: values,
          ...(returnValues ? { ReturnValues: returnValues } : {}),
        })
      )
    } catch (error) {
      if (isConditionFailure(error)) return undefined
      throw error
    }
  }

  /** The stored payload, or why not (`missing` when a chunk is gone: worth a second look at the head). */
  private async payloadOf(head: RawItem): Promise<StoredEntryRead | { missing: string }> {
    const digest = stringOf(head, ATTRIBUTES['#digest'])
    const count = numberOf(head, ATTRIBUTES['#chunks']) ?? 0
    if (count === 0) {
      const data = bytesOf(head, ATTRIBUTES['#data'])
      return data ? joinPayload([data], digest) : { refused: 'stored entry has no data' }
    }
    const generation = stringOf(head, ATTRIBUTES['#gen'])
    if (!Number.isInteger(count) || count < 0 || count > MAX_CHUNKS || !generation) {
      return {
        refused: `stored entry names ${count} chunks of write ${JSON.stringify(generation)}; at most ${MAX_CHUNKS} are read`,
      }
    }
    const chunks = await Promise.all(
      Array.from({ length: count }, (_, index) => this.getItem(this.chunkKey(generation, index)))
    )
    const parts: Uint8Array[] = []
    for (const [index, chunk] of chunks.entries()) {
      const part = chunk && bytesOf(chunk, ATTRIBUTES['#data'])
      if (!part) return { missing: `chunk ${index + 1} of ${count} of the stored entry is missing` }
      parts.push(part)
    }
    return joinPayload(parts, digest)
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
      const output = await this.client.send(command, { abortSignal: AbortSignal.timeout(this.timeoutMs) })
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
    const signal = () => ({ abortSignal: AbortSignal.timeout(this.timeoutMs) })
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
      await new Promise<void>((resolve) => unrefTimeout(resolve, 250))
    }
  }
}
