#!/usr/bin/env node
// Runs handler.mjs the way AWS Lambda would, on this machine: sequential invocations spread over a few containers,
// each container a process that imports the handler once (its cold start) and is frozen (SIGSTOP) between its
// invocations, so the poller's timers never fire while it waits. DynamoDB is dynalite (in memory, on 127.0.0.1) and
// the PostHog API is the local stand-in (tools/posthog-stand-in.cjs), which stamps every definitions response with
// the time it was served. For each invocation it prints the definitions requests made to the API and how old the
// definitions were that the invocation evaluated with.
//
//   npm run build && node examples/lambda/driver.mjs [--invocations 20] [--containers 4] [--gap 250] [--max-age 1000]
//                                                    [--json]
import { fork } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

// The SDK warns once per process that a future version will need a newer Node: not what this example is about.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)

const { values: args } = parseArgs({
  options: {
    invocations: { type: 'string', default: '20' },
    containers: { type: 'string', default: '4' },
    gap: { type: 'string', default: '250' },
    'max-age': { type: 'string', default: '1000' },
    json: { type: 'boolean', default: false },
  },
})
const invocations = Number(args.invocations)
const containerCount = Number(args.containers)
const gapMs = Number(args.gap)
const maxAgeMs = Number(args['max-age'])
for (const [name, value] of Object.entries({
  invocations,
  containers: containerCount,
  gap: gapMs,
  'max-age': maxAgeMs,
})) {
  if (!Number.isInteger(value) || value < 1) {
    console.error(`driver: --${name} must be a positive whole number`)
    process.exit(2)
  }
}

let dynalite
let standIn
try {
  dynalite = require('dynalite')
  standIn = require('../../tools/posthog-stand-in.cjs')
} catch (error) {
  console.error(`driver: ${error.message}\n(the driver needs the repository's devDependencies: npm ci)`)
  process.exit(2)
}
const dynamodb = await import('@aws-sdk/client-dynamodb')
const { dynamoDBFlagDefinitionCacheCreateTableInput } = await import('posthog-node/experimental')

/** The stand-in's definitions plus one flag whose payload says when the API served them. */
function stampedDefinitions(servedAt) {
  const copy = JSON.parse(JSON.stringify(standIn.DEFAULT_DEFINITIONS))
  copy.flags.push({
    id: 999,
    name: 'Stamp of the example driver',
    key: 'definitions-fetched-at',
    active: true,
    deleted: false,
    rollout_percentage: null,
    ensure_experience_continuity: false,
    experiment_set: [],
    filters: { groups: [{ properties: [], rollout_percentage: 100 }], payloads: { true: String(servedAt) } },
  })
  return copy
}

// dynalite, in memory, on an ephemeral port; the table with the parameters the README documents.
const database = dynalite({ createTableMs: 0 })
await new Promise((resolve, reject) => database.listen(0, '127.0.0.1', (error) => (error ? reject(error) : resolve())))
const endpoint = `http://127.0.0.1:${database.address().port}`
const env = {
  ...process.env,
  AWS_ENDPOINT_URL_DYNAMODB: endpoint,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'example',
  AWS_SECRET_ACCESS_KEY: 'example',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  FLAGS_TABLE: 'posthog_flag_definitions',
  FLAGS_MAX_AGE_MS: String(maxAgeMs),
  POSTHOG_PROJECT_KEY: 'phc_lambda_example',
  POSTHOG_PERSONAL_API_KEY: 'phx_lambda_example',
}
const admin = new dynamodb.DynamoDBClient({
  endpoint,
  region: env.AWS_REGION,
  credentials: { accessKeyId: 'example', secretAccessKey: 'example' },
})
await admin.send(new dynamodb.CreateTableCommand(dynamoDBFlagDefinitionCacheCreateTableInput(env.FLAGS_TABLE)))
admin.destroy()

const api = await standIn.start({ definitions: stampedDefinitions(Date.now()) })
// The listener runs before the stand-in builds its answer, so each response carries its own serving time.
api.onRequest((request) => {
  if (request.kind === 'definitions') api.setDefinitions(stampedDefinitions(request.at))
})
env.POSTHOG_HOST = api.url

/** A Lambda container: started (cold) on its first invocation, frozen between invocations. */
class Container {
  constructor(index) {
    this.index = index
    this.child = undefined
  }

  async invoke(event) {
    if (!this.child) {
      this.child = fork(join(here, 'container.mjs'), [], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
      await this.next('ready')
    } else {
      this.child.kill('SIGCONT') // thaw
    }
    this.child.send({ type: 'invoke', event })
    const result = await this.next('result')
    this.child.kill('SIGSTOP') // freeze until its next invocation
    return result
  }

  next(type) {
    return new Promise((resolve, reject) => {
      const onMessage = (message) => {
        if (message.type !== type) return
        this.child.off('message', onMessage)
        this.child.off('exit', onExit)
        resolve(message)
      }
      const onExit = (code) => reject(new Error(`container ${this.index} exited with ${code}`))
      this.child.on('message', onMessage)
      this.child.once('exit', onExit)
    })
  }

  stop() {
    if (!this.child || this.child.exitCode !== null) return
    this.child.kill('SIGCONT')
    this.child.kill('SIGKILL') // as Lambda reclaims a container
  }
}

const containers = Array.from({ length: containerCount }, (_, index) => new Container(index))
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const rows = []
const startedAt = Date.now()
try {
  for (let i = 0; i < invocations; i++) {
    const container = containers[i % containerCount]
    const before = api.requests()
    const result = await container.invoke({
      distinctId: `user-${i}`,
      personProperties: { email: i % 2 ? `user-${i}@example.com` : `user-${i}@other.org` },
    })
    if (result.error) throw new Error(`invocation ${i + 1} failed: ${result.error}`)
    const now = Date.now()
    rows.push({
      invocation: i + 1,
      container: container.index,
      cold: result.cold,
      apiRequests: api.requests() - before,
      definitionsAgeMs: result.definitionsFetchedAt === undefined ? null : now - result.definitionsFetchedAt,
      durationMs: result.durationMs,
      response: JSON.parse(result.response.body),
    })
    if (i < invocations - 1) await sleep(gapMs)
  }
} finally {
  for (const container of containers) container.stop()
  await api.close()
  await new Promise((resolve) => database.close(resolve))
}

const elapsedMs = Date.now() - startedAt
const summary = {
  invocations,
  containers: containerCount,
  maxAgeMs,
  elapsedMs,
  apiRequests: rows.reduce((sum, row) => sum + row.apiRequests, 0),
  coldStarts: rows.filter((row) => row.cold).length,
  // A cold start requests definitions only when the table has none, or its copy is stale and this one took the lease.
  coldStartApiRequests: rows.filter((row) => row.cold).reduce((sum, row) => sum + row.apiRequests, 0),
  maxDefinitionsAgeMs: Math.max(...rows.map((row) => row.definitionsAgeMs ?? Infinity)),
  rows,
}

if (args.json) {
  console.log(JSON.stringify(summary))
} else {
  const pad = (value, width) => String(value).padStart(width)
  console.log(
    `${invocations} invocations on ${containerCount} containers, one every ${gapMs} ms, definitions shared through ` +
      `DynamoDB (dynalite) with maxAgeMs ${maxAgeMs}; containers frozen between invocations\n`
  )
  console.log('  #  container  start  API requests  definitions age  duration  beta-dashboard')
  for (const row of rows) {
    console.log(
      `${pad(row.invocation, 3)}  ${pad(row.container, 9)}  ${row.cold ? 'cold ' : 'warm '}  ${pad(row.apiRequests, 12)}` +
        `  ${pad(`${row.definitionsAgeMs} ms`, 15)}  ${pad(`${row.durationMs} ms`, 8)}  ${row.response.betaDashboard}`
    )
  }
  console.log(
    `\n${summary.apiRequests} definitions requests in ${(elapsedMs / 1000).toFixed(1)} s ` +
      `(${summary.coldStartApiRequests} of them by the ${summary.coldStarts} cold starts); ` +
      `oldest definitions used: ${summary.maxDefinitionsAgeMs} ms`
  )
}
