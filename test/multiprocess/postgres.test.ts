import { Pool } from 'pg'
import { DATABASE_URL, describeWith } from '../helpers/services'
import { coordinationScenarios, storeOutageScenario } from './helpers/scenarios'
import { TcpProxy } from './helpers/tcp-proxy'

describeWith('postgres', 'PostgresFlagDefinitionCache across processes', () => {
  const table = `test_multiprocess_${process.pid}`
  let run = 0
  afterAll(async () => {
    const pool = new Pool({ connectionString: DATABASE_URL })
    await pool.query(`DROP TABLE IF EXISTS ${table}`)
    await pool.end()
  })

  coordinationScenarios(() => ({
    provider: 'postgres',
    databaseUrl: DATABASE_URL,
    table,
    key: `multiprocess-pg-${run++}`,
  }))

  describe('through a proxy the test can cut', () => {
    const target = new URL(DATABASE_URL)
    const proxy = new TcpProxy(target.hostname, Number(target.port || 5432))
    beforeAll(() => proxy.start())
    afterAll(() => proxy.stop())

    storeOutageScenario(
      (port) => {
        const url = new URL(DATABASE_URL)
        url.hostname = '127.0.0.1'
        url.port = String(port)
        return { provider: 'postgres', databaseUrl: url.toString(), table, key: `multiprocess-pg-outage-${run++}` }
      },
      () => proxy
    )
  })
})
