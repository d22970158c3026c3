// Servers a test owns: private redis-server processes (one, or a Redis Cluster of three masters) and a pgbouncer, on
// ephemeral ports with their files in a temp directory. The shared servers are never restarted or reconfigured.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sleep } from './fleet'

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

function redisCli(port: number, ...args: string[]): string {
  return execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
    encoding: 'utf8',
    timeout: 10_000,
  })
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  for (;;) {
    try {
      if (check()) return
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await sleep(100)
  }
}

/** One redis-server without persistence; restart() stops it and starts it again on the same port (empty). */
export class PrivateRedis {
  readonly directory = mkdtempSync(join(tmpdir(), 'posthog-private-redis-'))
  private process: ChildProcess | undefined

  constructor(
    readonly port: number,
    private readonly extraArgs: string[] = []
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  async start(): Promise<void> {
    this.process = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.directory,
        ...this.extraArgs,
      ],
      { stdio: 'ignore' }
    )
    await until(() => redisCli(this.port, 'ping').trim() === 'PONG', 10_000, `redis-server on ${this.port}`)
  }

  async stop(): Promise<void> {
    const child = this.process
    this.process = undefined
    if (!child || child.exitCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
  }

  async restart(): Promise<void> {
    await this.stop()
    await this.start()
  }

  async remove(): Promise<void> {
    await this.stop()
    rmSync(this.directory, { recursive: true, force: true })
  }
}

/** A Redis Cluster of three masters (no replicas), slots spread over them. */
export async function startRedisCluster(): Promise<{
  nodes: { host: string; port: number }[]
  stop: () => Promise<void>
}> {
  const servers: PrivateRedis[] = []
  for (let i = 0; i < 3; i++) {
    const port = await freePort()
    servers.push(
      new PrivateRedis(port, [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${port}.conf`,
        '--cluster-node-timeout',
        '2000',
      ])
    )
  }
  await Promise.all(servers.map((server) => server.start()))
  execFileSync(
    'redis-cli',
    ['--cluster', 'create', ...servers.map((s) => `127.0.0.1:${s.port}`), '--cluster-replicas', '0', '--cluster-yes'],
    { stdio: 'ignore', timeout: 20_000 }
  )
  await until(
    () => servers.every((s) => redisCli(s.port, 'cluster', 'info').includes('cluster_state:ok')),
    20_000,
    'the cluster'
  )
  return {
    nodes: servers.map((s) => ({ host: '127.0.0.1', port: s.port })),
    stop: async () => {
      await Promise.all(servers.map((server) => server.remove()))
    },
  }
}

/** A pgbouncer in transaction mode in front of `databaseUrl`; clients connect to `url` (no password). */
export async function startPgBouncer(databaseUrl: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const target = new URL(databaseUrl)
  const directory = mkdtempSync(join(tmpdir(), 'posthog-pgbouncer-'))
  const port = await freePort()
  const database = target.pathname.slice(1)
  const config = join(directory, 'pgbouncer.ini')
  writeFileSync(
    config,
    [
      '[databases]',
      `${database} = host=${target.hostname} port=${target.port || 5432} dbname=${database} user=${decodeURIComponent(target.username)} password=${decodeURIComponent(target.password)}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      `unix_socket_dir = ${directory}`,
      'auth_type = any',
      'pool_mode = transaction',
      'default_pool_size = 4',
      'max_client_conn = 200',
      `logfile = ${join(directory, 'pgbouncer.log')}`,
      `pidfile = ${join(directory, 'pgbouncer.pid')}`,
      '',
    ].join('\n')
  )
  const bin = ['/usr/sbin/pgbouncer', 'pgbouncer'].find((candidate) => {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' })
      return true
    } catch {
      return false
    }
  })
  if (!bin) throw new Error('pgbouncer is not installed: run scripts/services.sh (it installs it)')
  // pgbouncer refuses to run as root; the postgres system user exists wherever the PostgreSQL server does.
  const asRoot = process.getuid?.() === 0
  if (asRoot) execFileSync('chown', ['-R', 'postgres', directory])
  const child = asRoot
    ? spawn('su', ['postgres', '-s', '/bin/sh', '-c', `exec ${bin} ${config}`], { stdio: 'ignore' })
    : spawn(bin, [config], { stdio: 'ignore' })
  const url = `postgres://${encodeURIComponent(decodeURIComponent(target.username))}@127.0.0.1:${port}/${database}`
  await until(
    () => {
      execFileSync('pg_isready', ['-h', '127.0.0.1', '-p', String(port), '-q'], { timeout: 5000 })
      return true
    },
    10_000,
    'pgbouncer'
  )
  return {
    url,
    stop: async () => {
      // The daemon is a child of su when run as root: stop it by its own pid, then su.
      try {
        process.kill(Number(readFileSync(join(directory, 'pgbouncer.pid'), 'utf8')), 'SIGTERM')
      } catch {
        // already gone
      }
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      rmSync(directory, { recursive: true, force: true })
    },
  }
}
