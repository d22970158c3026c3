import { fork } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import {
  DynamoDBFlagDefinitionCache,
  dynamoDBFlagDefinitionCacheCreateTableInput,
  flagDefinitionsStorageName,
} from '../../src/experimental'
import { dynamoClient, dynamodb, describeWithDynalite } from '../helpers/dynalite'
import { largeDefinitions } from '../helpers/large-definitions'
import { removeSnapshot, snapshotOfBuild } from './helpers/build'
import { coordinationScenarios, storeOutageScenario } from './helpers/scenarios'
import { TcpProxy } from './helpers/tcp-proxy'

describeWithDynalite('DynamoDBFlagDefinitionCache across processes', (server) => {
  const table = `test_multiprocess_${process.pid}`
  let run = 0
  beforeAll(async () => {
    const client = dynamoClient(server().endpoint)
    await client.send(new dynamodb.CreateTableCommand(dynamoDBFlagDefinitionCacheCreateTableInput(table)))
    client.destroy()
  })

  coordinationScenarios(() => ({
    provider: 'dynamodb',
    dynamoEndpoint: server().endpoint,
    table,
    key: `multiprocess-dynamodb-${run++}`,
  }))

  describe('through a proxy the test can cut', () => {
    let proxy: TcpProxy
    beforeAll(async () => {
      proxy = new TcpProxy('127.0.0.1', server().port)
      await proxy.start()
    })
    afterAll(() => proxy.stop())

    storeOutageScenario(
      (port) => ({
        provider: 'dynamodb',
        dynamoEndpoint: `http://127.0.0.1:${port}`,
        table,
        key: `multiprocess-dynamodb-outage-${run++}`,
      }),
      () => proxy
    )
  })

  describe('a writer process killed between chunks', () => {
    let distDir: string | undefined
    beforeAll(() => {
      distDir = snapshotOfBuild()
    })
    afterAll(() => removeSnapshot(distDir))

    it('leaves the previous complete entry readable by everyone', async () => {
      const key = `multiprocess-dynamodb-killed-${run++}`
      const client = dynamoClient(server().endpoint)
      const provider = () =>
        new DynamoDBFlagDefinitionCache(client, { key, commands: dynamodb, table, timeoutMs: 10_000 })
      const chunkItems = async () => {
        const prefix = `${flagDefinitionsStorageName(key)}#`
        let count = 0
        let start: Record<string, dynamodb.AttributeValue> | undefined
        do {
          const page = await client.send(
            new dynamodb.ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start })
          )
          count += (page.Items ?? []).filter((item) => item.pk.S!.startsWith(prefix)).length
          start = page.LastEvaluatedKey
        } while (start)
        return count
      }
      try {
        const previous = largeDefinitions(1_500_000, 'previous')
        await provider().onFlagDefinitionsReceived(previous)
        const before = await chunkItems()
        expect(before).toBeGreaterThanOrEqual(3)

        const writer = fork(
          join(__dirname, 'helpers', 'dynamodb-dying-writer.cjs'),
          [JSON.stringify({ distDir, dynamoEndpoint: server().endpoint, key, table })],
          { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }
        )
        const said = (type: string) =>
          new Promise<void>((resolve) => writer.on('message', (m: { type: string }) => m.type === type && resolve()))
        await said('ready')
        writer.send({ type: 'write', definitions: largeDefinitions(1_500_000, 'dying') })
        await said('mid-write')
        writer.kill('SIGKILL')
        await once(writer, 'exit')

        expect(await chunkItems()).toBe(before + 2) // two chunks of the dead write landed, its head never did
        expect(await provider().getFlagDefinitions()).toEqual(previous)
      } finally {
        client.destroy()
      }
    })
  })
})
