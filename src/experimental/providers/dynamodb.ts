// DynamoDB provider: for fleets without a shared server of their own (AWS Lambda, ECS tasks). The store is in
// dynamodb-store.ts, the item layout in dynamodb-entry.ts, the SDK-facing types in dynamodb-client.ts.
import {
  type DynamoDBClientLike,
  type DynamoDBCommandClasses,
  REQUIRED_COMMANDS,
  TABLE_COMMANDS,
} from './dynamodb-client'
import { DynamoDBLeaseStore } from './dynamodb-store'
import {
  DEFAULT_DYNAMODB_TABLE,
  DEFAULT_KEY_ATTRIBUTE,
  validateKeyAttribute,
  validateTableName,
} from './dynamodb-table'
import { LeasedFlagDefinitionCache } from '../lease/leased-cache'
import { resolveSharedOptions, type SharedFlagDefinitionCacheOptions } from '../lease/options'

/**
 * Options of {@link DynamoDBFlagDefinitionCache}.
 *
 * @experimental May change in a minor version.
 */
export interface DynamoDBFlagDefinitionCacheOptions extends SharedFlagDefinitionCacheOptions {
  /**
   * The command classes of `@aws-sdk/client-dynamodb`, from your own import (this package never loads the SDK):
   * `{ GetItemCommand, PutItemCommand, UpdateItemCommand, DeleteItemCommand }`, or the module namespace itself.
   */
  commands: DynamoDBCommandClasses
  /** The table. Default `posthog_flag_definitions`. */
  table?: string
  /** The table's partition key attribute (a string). Default `pk`. */
  keyAttribute?: string
  /**
   * Create the table (on-demand capacity) on first use when it does not exist, and wait until it is active. Needs
   * `CreateTableCommand` and `DescribeTableCommand` in `commands` and the matching IAM actions. Default false:
   * create the table with your infrastructure tool.
   */
  createTable?: boolean
}

/**
 * Shares flag definitions between processes through a DynamoDB table, so that about one process per `maxAgeMs`
 * fetches them from PostHog, and a cold start (a new Lambda container) evaluates from the table without a request.
 *
 * Pass your own `DynamoDBClient` (or `DynamoDBDocumentClient`) and the command classes; the provider never destroys
 * the client. Each key is one item (plus chunk items when the compressed definitions exceed about 350 KB).
 *
 * @experimental May change in a minor version.
 */
export class DynamoDBFlagDefinitionCache extends LeasedFlagDefinitionCache {
  constructor(client: DynamoDBClientLike, options: DynamoDBFlagDefinitionCacheOptions) {
    const { storageName, timeoutMs } = resolveSharedOptions('DynamoDBFlagDefinitionCache', options)
    if (!client || typeof client.send !== 'function') {
      throw new TypeError(
        'DynamoDBFlagDefinitionCache: the first argument must be a DynamoDBClient (or DynamoDBDocumentClient) from the AWS SDK v3'
      )
    }
    const commands = options.commands
    const needed = [...REQUIRED_COMMANDS, ...(options.createTable ? TABLE_COMMANDS : [])]
    const missing = needed.filter(
      (name) => typeof (commands as Partial<DynamoDBCommandClasses> | undefined)?.[name] !== 'function'
    )
    if (missing.length > 0) {
      throw new TypeError(
        `DynamoDBFlagDefinitionCache: options.commands must hold the command classes of @aws-sdk/client-dynamodb ` +
          `(missing ${missing.join(', ')}); e.g. import * as dynamodb from '@aws-sdk/client-dynamodb' and pass commands: dynamodb`
      )
    }
    const table = validateTableName(options.table ?? DEFAULT_DYNAMODB_TABLE)
    const keyAttribute = validateKeyAttribute(options.keyAttribute ?? DEFAULT_KEY_ATTRIBUTE)
    const createTable = options.createTable === true
    const store = new DynamoDBLeaseStore(client, commands, storageName, timeoutMs, table, keyAttribute, createTable)
    // Gzip whatever the size: DynamoDB bills reads and writes by item size, and every freshness check reads the head.
    super(store, { ...options, compress: options.compress ?? 'gzip' }, 'DynamoDBFlagDefinitionCache')
  }
}
