// A writer process for the DynamoDB chunking test: it stores the large entry the test sends ({ type: 'write' })
// through the BUILT provider and, once two chunk items have landed, says 'mid-write' and sends nothing more; the
// test then kills it with SIGKILL, between chunks.
'use strict'
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
const path = require('node:path')
const dynamodb = require('@aws-sdk/client-dynamodb')

const config = JSON.parse(process.argv[2])
const experimental = require(path.join(config.distDir, 'experimental.js'))
const client = new dynamodb.DynamoDBClient({
  endpoint: config.dynamoEndpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
})
let chunkPuts = 0
const dying = {
  send(command, options) {
    if (command instanceof dynamodb.PutItemCommand && ++chunkPuts > 2) {
      if (chunkPuts === 3) setTimeout(() => process.send({ type: 'mid-write' }), 200) // let the first two land
      return new Promise(() => undefined)
    }
    return client.send(command, options)
  },
}
const provider = new experimental.DynamoDBFlagDefinitionCache(dying, {
  key: config.key,
  commands: dynamodb,
  table: config.table,
  maxAgeMs: 1,
  timeoutMs: 60_000,
})
process.on('message', async (message) => {
  if (message.type !== 'write') return
  await provider.shouldFetchFlagDefinitions()
  await provider.onFlagDefinitionsReceived(message.definitions)
})
process.send({ type: 'ready' })
