// The PostgreSQL table: name validation, identifier quoting and DDL. Values are always bound parameters; the table
// name is the only thing spliced into SQL, and only after it has been validated and quoted.

export const DEFAULT_POSTGRES_TABLE = 'posthog_flag_definitions'

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/

/** Quotes one identifier for PostgreSQL (double quotes, embedded quotes doubled). */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

/** Validates `table` or `schema.table` (plain identifiers, at most 63 characters each) and returns it quoted. */
export function quoteTableName(table: string): string {
  if (typeof table !== 'string') throw new TypeError('PostgresFlagDefinitionCache: options.table must be a string')
  const parts = table.split('.')
  if (parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new TypeError(
      `PostgresFlagDefinitionCache: options.table must be an identifier such as "posthog_flag_definitions" or ` +
        `"my_schema.posthog_flag_definitions" (letters, digits, _ and $, not starting with a digit), got ${JSON.stringify(table)}`
    )
  }
  return parts.map(quoteIdentifier).join('.')
}

/**
 * The DDL the provider runs on first use when the table is missing (`CREATE TABLE IF NOT EXISTS`). Run it yourself
 * in a migration and pass `createTable: false` if the application's database role may not create tables.
 *
 * @experimental May change in a minor version.
 */
export function postgresFlagDefinitionCacheDDL(table: string = DEFAULT_POSTGRES_TABLE): string {
  return `CREATE TABLE IF NOT EXISTS ${quoteTableName(table)} (
  cache_key text PRIMARY KEY,
  schema_version integer,
  fetched_at timestamptz,
  data text,
  lease_owner text,
  lease_expires_at timestamptz,
  etag text
)`
}
