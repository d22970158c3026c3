/**
 * The layout version of stored entries: part of every storage name and of every entry's header. Bump it when the
 * layout changes; readers refuse any other version.
 *
 * @experimental May change in a minor version.
 */
export const FLAG_DEFINITIONS_SCHEMA_VERSION = 2
