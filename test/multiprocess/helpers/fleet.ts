// Starts and drives worker processes (helpers/worker.cjs) for the multi-process tests.
import { type ChildProcess, fork } from 'node:child_process'
import { join } from 'node:path'

export interface WorkerConfig {
  /** The copy of dist/ the worker loads the package from (helpers/build.ts). */
  distDir: string
  provider: 'redis' | 'postgres' | 'file' | 'dynamodb' | 'none'
  apiUrl: string
  key: string
  pollingIntervalMs: number
  maxAgeMs: number
  leaseMs: number
  timeoutMs: number
  requestTimeoutMs?: number
  redisUrl?: string
  keyPrefix?: string
  databaseUrl?: string
  table?: string
  directory?: string
  /** The DynamoDB endpoint (dynalite) for provider 'dynamodb'; `table` names its table. */
  dynamoEndpoint?: string
  /** The providers' `secret` (the same for every worker of a fleet); none when absent. */
  secret?: string
  evaluateEveryMs?: number
  /** Set per worker by the fleet (`phx_worker_<index>`), so the stand-in can tell who sent a request. */
  personalApiKey?: string
  /** Nodes of a Redis Cluster (instead of redisUrl). */
  redisCluster?: { host: string; port: number }[]
  /** Report each change of new-checkout for probe-user (see worker.cjs). */
  watch?: boolean
}

export interface SeenValue {
  value: unknown
  at: number
}

export interface ReadyMessage {
  type: 'ready'
  firstFlag: unknown
  ownRequestsBeforeFirstFlag: number
  source: 'api' | 'cache' | undefined
}

export interface WorkerReport {
  type: 'report'
  rounds: number
  exceptions: string[]
  lastResult: Record<string, Record<string, unknown>>
  ownDefinitionsRequests: number
  clientErrors: number
  clientStats: {
    cacheHits: number
    apiFetches: number
    lastLoadSource?: string
    notModified: number
    notificationsReceived: number
    notificationReloads: number
  }
  providerStats?: { leasesTaken: number; errors: number; writes: number; notificationsUnavailable: number }
}

export class Worker {
  readonly ready: Promise<ReadyMessage>
  /** When each shouldFetchFlagDefinitions() call that returned true started (ms since epoch). */
  readonly leaseCalls: number[] = []
  /** With `watch`: every change of the watched answer, in order. */
  readonly values: SeenValue[] = []
  private readonly child: ChildProcess
  private exited = false

  constructor(
    readonly index: number,
    config: WorkerConfig
  ) {
    this.child = fork(join(__dirname, 'worker.cjs'), [JSON.stringify(config)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    this.child.on('exit', () => (this.exited = true))
    this.ready = new Promise((resolve, reject) => {
      this.child.on('message', (message: { type: string; error?: string; calledAt?: number } & SeenValue) => {
        if (message.type === 'value') this.values.push({ value: message.value, at: message.at })
        if (message.type === 'ready') resolve(message as unknown as ReadyMessage)
        if (message.type === 'lease') this.leaseCalls.push(message.calledAt!)
        if (message.type === 'fatal') reject(new Error(`worker ${index} failed: ${message.error}`))
      })
      this.child.on('exit', (code) => reject(new Error(`worker ${index} exited with ${code} before it was ready`)))
    })
  }

  get pid(): number | undefined {
    return this.child.pid
  }

  get alive(): boolean {
    return !this.exited
  }

  report(): Promise<WorkerReport> {
    return new Promise((resolve) => {
      const onMessage = (message: { type: string }) => {
        if (message.type !== 'report') return
        this.child.off('message', onMessage)
        resolve(message as WorkerReport)
      }
      this.child.on('message', onMessage)
      this.child.send({ type: 'report' })
    })
  }

  kill(): void {
    this.child.kill('SIGKILL')
  }

  /** Asks for a clean shutdown; kills the process if it has not exited within 10 s. */
  stop(): Promise<void> {
    if (this.exited) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000)
      this.child.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      this.child.send({ type: 'stop' })
    })
  }
}

export class Fleet {
  readonly workers: Worker[] = []

  constructor(private readonly config: WorkerConfig) {}

  async start(count: number, overrides: Partial<WorkerConfig> = {}): Promise<Worker[]> {
    const started = Array.from({ length: count }, () => {
      const index = this.workers.length
      const config = { ...this.config, ...overrides, personalApiKey: `phx_worker_${index}` }
      const worker = new Worker(index, config)
      this.workers.push(worker)
      return worker
    })
    await Promise.all(started.map((worker) => worker.ready))
    return started
  }

  /** The worker whose personal API key is in this Authorization header. */
  byAuthorization(authorization: string | undefined): Worker | undefined {
    const index = /phx_worker_(\d+)/.exec(authorization ?? '')?.[1]
    return index === undefined ? undefined : this.workers[Number(index)]
  }

  get alive(): Worker[] {
    return this.workers.filter((worker) => worker.alive)
  }

  reports(): Promise<WorkerReport[]> {
    return Promise.all(this.alive.map((worker) => worker.report()))
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.stop()))
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits until `condition` holds, checking every 25 ms; throws `message` after `ms`. */
export async function waitFor(condition: () => boolean, ms: number, message: string): Promise<void> {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${message}`)
    await sleep(25)
  }
}
