// The parts of the AWS SDK v3 the DynamoDB provider touches, typed structurally: this package never loads the SDK.
//
// A command cannot be built without the SDK: `client.send(command)` calls `command.resolveMiddleware(...)`, which
// the SDK's command classes implement with their operation schema and serialisers (and the client caches the
// resolved handler per `command.constructor`). So the user hands over the command classes they already have
// (`commands: { GetItemCommand, ... }` or the whole `@aws-sdk/client-dynamodb` namespace) and the provider only
// instantiates them. The low-level commands pass through a `DynamoDBDocumentClient` unchanged (its marshalling is
// added by its own command classes), so both kinds of client work with the same commands.

/**
 * One DynamoDB attribute value in the low-level wire shape, as far as this provider writes it.
 *
 * @experimental May change in a minor version.
 */
export type DynamoDBAttributeValue = { S: string } | { N: string } | { B: Uint8Array }

/**
 * The input of the `GetItemCommand` the provider sends.
 *
 * @experimental May change in a minor version.
 */
export interface DynamoDBGetItemInput {
  /** The table. */
  TableName: string
  /** The item's primary key. */
  Key: Record<string, DynamoDBAttributeValue>
  /** Always true: a freshness check or read must see the latest write. */
  ConsistentRead: boolean
  /** Which attributes to return. */
  ProjectionExpression?: string
  /** Placeholders for attribute names. */
  ExpressionAttributeNames?: Record<string, string>
}

/**
 * The input of the `PutItemCommand` the provider sends (chunks of a large entry).
 *
 * @experimental May change in a minor version.
 */
export interface DynamoDBPutItemInput {
  /** The table. */
  TableName: string
  /** The whole item. */
  Item: Record<string, DynamoDBAttributeValue>
}

/**
 * The input of the `UpdateItemCommand` the provider sends (lease, head item).
 *
 * @experimental May change in a minor version.
 */
export interface DynamoDBUpdateItemInput {
  /** The table. */
  TableName: string
  /** The item's primary key. */
  Key: Record<string, DynamoDBAttributeValue>
  /** What to change. */
  UpdateExpression: string
  /** The condition that makes the change atomic. */
  ConditionExpression: string
  /** Placeholders for attribute names. */
  ExpressionAttributeNames: Record<string, string>
  /** Placeholders for values. */
  ExpressionAttributeValues?: Record<string, DynamoDBAttributeValue>
  /** `ALL_OLD` when the provider needs the replaced head (to clean up old chunks). */
  ReturnValues?: 'ALL_OLD' | 'NONE'
}

/**
 * The input of the `DeleteItemCommand` the provider sends (chunks no head points at any more).
 *
 * @experimental May change in a minor version.
 */
export interface DynamoDBDeleteItemInput {
  /** The table. */
  TableName: string
  /** The item's primary key. */
  Key: Record<string, DynamoDBAttributeValue>
}

/**
 * The input of the `CreateTableCommand` (see {@link dynamoDBFlagDefinitionCacheCreateTableInput}).
 *
 * @experimental May change in a minor version.
 */
export interface DynamoDBCreateTableInput {
  /** The table. */
  TableName: string
  /** The key attribute, a string. */
  AttributeDefinitions: { AttributeName: string; AttributeType: 'S' }[]
  /** The key attribute is the partition key; there is no sort key. */
  KeySchema: { AttributeName: string; KeyType: 'HASH' }[]
  /** On-demand capacity. */
  BillingMode: 'PAY_PER_REQUEST'
}

/**
 * The input of the `DescribeTableCommand` (waiting for a table created by `createTable: true` to become active).
 *
 * @experimental May change in a minor version.
 */
export interface DynamoDBDescribeTableInput {
  /** The table. */
  TableName: string
}

/**
 * The command classes of `@aws-sdk/client-dynamodb` the provider instantiates. Pass them from your own import:
 * `commands: { GetItemCommand, PutItemCommand, UpdateItemCommand, DeleteItemCommand }`, or the whole module
 * (`import * as dynamodb from '@aws-sdk/client-dynamodb'`, then `commands: dynamodb`).
 *
 * @experimental May change in a minor version.
 */
export interface DynamoDBCommandClasses {
  /** `GetItemCommand`. */
  GetItemCommand: new (input: DynamoDBGetItemInput) => object
  /** `PutItemCommand`. */
  PutItemCommand: new (input: DynamoDBPutItemInput) => object
  /** `UpdateItemCommand`. */
  UpdateItemCommand: new (input: DynamoDBUpdateItemInput) => object
  /** `DeleteItemCommand`. */
  DeleteItemCommand: new (input: DynamoDBDeleteItemInput) => object
  /** `CreateTableCommand`; needed only with `createTable: true`. */
  CreateTableCommand?: new (input: DynamoDBCreateTableInput) => object
  /** `DescribeTableCommand`; needed only with `createTable: true`. */
  DescribeTableCommand?: new (input: DynamoDBDescribeTableInput) => object
}

/**
 * The part of a `DynamoDBClient` (or `DynamoDBDocumentClient`) the provider uses: `send`.
 *
 * @experimental May change in a minor version.
 */
export interface DynamoDBClientLike {
  /** Sends one command; `abortSignal` cancels the HTTP request when the provider's `timeoutMs` runs out. */
  send(command: object, options?: { abortSignal?: AbortSignal }): Promise<unknown>
}

export const REQUIRED_COMMANDS = ['GetItemCommand', 'PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand'] as const
export const TABLE_COMMANDS = ['CreateTableCommand', 'DescribeTableCommand'] as const
