// A LeaseStore in memory, with the same atomic rules as the shipped stores, plus hooks to make one operation slow,
// failing or hanging: the policy's rules can then be checked without any server.
import type {
  LeaseOutcome,
  LeaseStore,
  LeaseTiming,
  ReadLimits,
  StoredEntry,
  StoredEntryRead,
} from '../../../src/experimental'

type Operation = 'tryTakeLease' | 'readEntry' | 'writeEntry' | 'releaseLease'

export class MemoryLeaseStore implements LeaseStore {
  entry: { payload: string; fetchedAt: number } | undefined
  lease: { token: string; expiresAt: number } | undefined
  /** Every call, with its arguments, in order. */
  readonly calls: { operation: Operation; args: unknown[] }[] = []
  /** Runs before an operation's effect; may wait, throw or never settle. */
  readonly before: Partial<Record<Operation, () => Promise<void> | void>> = {}
  now = (): number => Date.now()

  async tryTakeLease(token: string, timing: LeaseTiming): Promise<LeaseOutcome> {
    await this.enter('tryTakeLease', token, timing)
    if (this.isFresh(timing.maxAgeMs)) return 'fresh'
    if (this.lease && this.lease.expiresAt > this.now()) return 'busy'
    this.lease = { token, expiresAt: this.now() + timing.leaseMs }
    return 'taken'
  }

  async readEntry(limits: ReadLimits): Promise<StoredEntryRead | undefined> {
    await this.enter('readEntry', limits)
    return this.entry && { payload: this.entry.payload }
  }

  async writeEntry(entry: StoredEntry, token: string | undefined, timing: LeaseTiming): Promise<void> {
    await this.enter('writeEntry', entry, token, timing)
    const owns = token !== undefined && this.lease?.token === token && this.lease.expiresAt > this.now()
    if (!owns && this.isFresh(timing.maxAgeMs)) return
    this.entry = { payload: entry.payload, fetchedAt: this.now() }
    if (owns) this.lease = undefined
  }

  async releaseLease(token: string): Promise<void> {
    await this.enter('releaseLease', token)
    if (this.lease?.token === token) this.lease = undefined
  }

  callsOf(operation: Operation): unknown[][] {
    return this.calls.filter((call) => call.operation === operation).map((call) => call.args)
  }

  private isFresh(maxAgeMs: number): boolean {
    return this.entry !== undefined && this.now() - this.entry.fetchedAt < maxAgeMs
  }

  private async enter(operation: Operation, ...args: unknown[]): Promise<void> {
    this.calls.push({ operation, args })
    await this.before[operation]?.()
  }
}

export const never = (): Promise<void> => new Promise<void>(() => undefined)
