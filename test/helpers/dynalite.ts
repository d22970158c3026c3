// DynamoDB tests run against dynalite (a DynamoDB-compatible server from npm, in memory), started by the tests
// themselves on 127.0.0.1 with an ephemeral port. Under CI=true a dynalite that cannot start fails the run; locally
// the suite is skipped with a loud notice, like the Redis and PostgreSQL suites (see services.ts).
import { execFileSync } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import * as dynamodb from '@aws-sdk/client-dynamodb'

// The SDK warns once per process that a future version will need a newer Node; that is not this suite's concern.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const isCI = /^(1|true|yes)$/i.test(process.env.CI ?? '')

export interface DynaliteServer {
  /** `http://127.0.0.1:<port>` */
  endpoint: string
  port: number
  close(): Promise<void>
}

interface DynaliteInstance {
  listen(port: number, host: string, callback: (error?: Error) => void): void
  address(): AddressInfo | string | null
  close(callback: () => void): void
  on(event: 'error', listener: (error: Error) => void): void
}
type DynaliteFactory = (options: Record<string, number>) => DynaliteInstance

/** Starts an in-memory dynalite; tables become active at once (no CREATING delay). */
export function startDynalite(): Promise<DynaliteServer> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dynalite = require('dynalite') as DynaliteFactory
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
  return new Promise((resolve, reject) => {
    server.on('error', reject)
    server.listen(0, '127.0.0.1', (error) => {
      if (error) return reject(error)
      const { port } = server.address() as AddressInfo
      resolve({
        endpoint: `http://127.0.0.1:${port}`,
        port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      })
    })
  })
}

/** A real SDK client for dynalite (dummy credentials: dynalite checks their shape only). */
export function dynamoClient(
  endpoint: string,
  extra: Partial<dynamodb.DynamoDBClientConfig> = {}
): dynamodb.DynamoDBClient {
  return new dynamodb.DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    ...extra,
  })
}

/** Creates `table` with the provider's documented parameters. */
export async function createTable(
  client: dynamodb.DynamoDBClient,
  input: dynamodb.CreateTableCommandInput
): Promise<void> {
  await client.send(new dynamodb.CreateTableCommand(input))
}

let probed: string | undefined | null = null
function problem(): string | undefined {
  if (probed !== null) return probed
  // A child process keeps the probe synchronous so describe() can decide before tests are declared.
  const code = `let d;try{d=require('dynalite')}catch(e){console.error(e.message.split('\\n')[0]);process.exit(1)}
d({}).listen(0,'127.0.0.1',function(e){if(e){console.error(e.message);process.exit(1)}process.exit(0)})`
  try {
    execFileSync(process.execPath, ['-e', code], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 10_000,
      cwd: __dirname,
    })
    probed = undefined
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim()
    probed = stderr || String(error)
  }
  return probed
}

/**
 * `describe` with a dynalite server running for its tests: `server()` inside the body gives it (after beforeAll).
 * Fails under CI when dynalite cannot start, skips loudly otherwise.
 */
export function describeWithDynalite(name: string, body: (server: () => DynaliteServer) => void): void {
  const why = problem()
  if (why) {
    const message = `dynalite cannot start (${why}). Install the devDependencies: npm ci`
    if (isCI) {
      describe(name, () => {
        it('needs dynalite', () => {
          throw new Error(`CI=true and ${message}`)
        })
      })
      return
    }
    console.warn(`\n!!! SKIPPING "${name}": ${message}\n`)
    describe.skip(name, () => body(() => undefined as never))
    return
  }
  describe(name, () => {
    let server: DynaliteServer | undefined
    beforeAll(async () => {
      server = await startDynalite()
    })
    afterAll(async () => {
      await server?.close()
    })
    body(() => {
      if (!server) throw new Error('dynalite is not running (beforeAll failed)')
      return server
    })
  })
}

export { dynamodb }
