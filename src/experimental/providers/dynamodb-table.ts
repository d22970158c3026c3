// The DynamoDB table: name validation and the CreateTable parameters (the DDL equivalent).
import type { DynamoDBCreateTableInput } from './dynamodb-client'

export const DEFAULT_DYNAMODB_TABLE = 'posthog_flag_definitions'
export const DEFAULT_KEY_ATTRIBUTE = 'pk'

// DynamoDB's own rules for table names; key attribute names are limited to the same safe characters here so they
// read the same in the console, in IAM conditions and in CloudFormation.
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,255}$/

export function validateTableName(table: unknown): string {
  if (typeof table !== 'string' || !TABLE_NAME.test(table)) {
    throw new TypeError(
      `DynamoDBFlagDefinitionCache: options.table must be a DynamoDB table name (3 to 255 letters, digits, _ . -), got ${JSON.stringify(table)}`
    )
  }
  return table
}

export function validateKeyAttribute(name: unknown): string {
  if (typeof name !== 'string' || !ATTRIBUTE_NAME.test(name)) {
    throw new TypeError(
      `DynamoDBFlagDefinitionCache: options.keyAttribute must be the name of the table's partition key (letters, digits, _ . -), got ${JSON.stringify(name)}`
    )
  }
  return name
}

/**
 * The `CreateTable` parameters of the table the provider uses: one string partition key, no sort key, on-demand
 * capacity. Create it with your infrastructure tool (or `new CreateTableCommand(...)`), or let the provider create
 * it with `createTable: true`. Optionally enable TTL on the attribute `expires_at` so chunks left behind by a writer
 * that died mid-write are removed.
 *
 * @param table - default `posthog_flag_definitions`
 * @param keyAttribute - the partition key attribute, default `pk`
 * @experimental May change in a minor version.
 */
export function dynamoDBFlagDefinitionCacheCreateTableInput(
  table: string = DEFAULT_DYNAMODB_TABLE,
  keyAttribute: string = DEFAULT_KEY_ATTRIBUTE
): DynamoDBCreateTableInput {
  validateTableName(table)
  validateKeyAttribute(keyAttribute)
  return {
    TableName: table,
    AttributeDefinitions: [{ AttributeName: keyAttribute, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: keyAttribute, KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  }
}
