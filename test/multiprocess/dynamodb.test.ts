import { dynamoClient, dynamodb, describeWithDynalite } from '../helpers/dynalite'
import { dynamoDBFlagDefinitionCacheCreateTableInput } from '../../src/experimental'
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
})
