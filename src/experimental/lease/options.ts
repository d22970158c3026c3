import { createHash } from 'node:crypto'
import {
  DEFAULT_CACHE_MAX_AGE_MS,
  DEFAULT_LEASE_MS,
  DEFAULT_STORE_TIMEOUT_MS,
  timerMilliseconds,
} from '../../shared/defaults'
import { FLAG_DEFINITIONS_SCHEMA_VERSION } from './schema-version'
import { consoleLogger, type FlagDefinitionCacheLogger } from './logger'

/**
 * Options every shipped provider takes, and {@link LeasedFlagDefinitionCache} for a store of your own.
 *
 * @experimental May change in a minor version.
 */
export interface SharedFlagDefinitionCacheOptions {
  /**
   * Names the shared entry, e.g. your project API key. Processes with the same key share definitions; different keys
   * never see each other's data. Only a hash of it is written to the store. Never pass your personal API key.
   */
  key: string
  /** How old the shared definitions may get before one process fetches fresh ones. Default 30000 (the client's default polling interval). */
  maxAgeMs?: number
  /**
   * How long one process holds the right to fetch. If it dies or its fetch fails, another process takes over once
   * the lease lapses. Default: 10000 or `maxAgeMs`, whichever is smaller.
   */
  leaseMs?: number
  /** Bound on every store operation; on expiry the provider falls back (fetch from the API, or a cache miss). Default 2000. */
  timeoutMs?: number
  /** Where problems are reported. Default: `console.warn`. */
  logger?: FlagDefinitionCacheLogger
  /**
   * Any string every process of the fleet shares (e.g. the personal API key, or a value from your secret store).
   * Entries are written with an HMAC-SHA256 tag keyed by a value derived from it, and an entry whose tag is missing
   * or wrong is refused (a fetch follows): whoever can write to the store but does not know the secret cannot feed
   * definitions to the fleet (it does not stop them from putting back an older entry the fleet wrote itself).
   * Neither the secret nor the derived key is ever written anywhere. Recommended wherever
   * the store is shared with other applications. Default: none (entries are not authenticated).
   */
  secret?: string
  /**
   * Entries larger than this (stored bytes, and after decompression) are refused as invalid before they are parsed,
   * and never written. Default 52428800 (50 MiB).
   */
  maxEntryBytes?: number
  /**
   * `'gzip'` compresses every entry, `false` none. Default: gzip for entries whose JSON is larger than 64 KiB.
   */
  compress?: 'gzip' | false
}

/** The options after validation and defaults (the codec's own options are resolved by the codec). */
export interface ResolvedSharedOptions {
  /** What storage names are built from: {@link flagDefinitionsStorageName} of the key. */
  storageName: string
  maxAgeMs: number
  leaseMs: number
  timeoutMs: number
  logger: FlagDefinitionCacheLogger
}

function positiveMs(name: string, value: unknown, fallback: number, providerName: string): number {
  if (value === undefined) return fallback
  const ms = timerMilliseconds(value)
  if (ms === undefined) {
    throw new TypeError(
      `${providerName}: options.${name} must be a positive number of milliseconds, got ${String(value)}`
    )
  }
  return ms
}

export function resolveSharedOptions(
  providerName: string,
  options: SharedFlagDefinitionCacheOptions | undefined
): ResolvedSharedOptions {
  if (!options || typeof options !== 'object') {
    throw new TypeError(`${providerName}: options with a \`key\` are required, e.g. { key: 'phc_your_project_key' }`)
  }
  const { key } = options
  if (typeof key !== 'string' || key.length === 0) {
    throw new TypeError(
      `${providerName}: options.key must be a non-empty string naming the shared entry (e.g. your project API key)`
    )
  }
  if (key.startsWith('phx_')) {
    throw new TypeError(
      `${providerName}: options.key looks like a personal API key (phx_...): use the project API key or any other name`
    )
  }
  const maxAgeMs = positiveMs('maxAgeMs', options.maxAgeMs, DEFAULT_CACHE_MAX_AGE_MS, providerName)
  const leaseMs = positiveMs('leaseMs', options.leaseMs, Math.min(DEFAULT_LEASE_MS, maxAgeMs), providerName)
  const timeoutMs = positiveMs('timeoutMs', options.timeoutMs, DEFAULT_STORE_TIMEOUT_MS, providerName)
  const logger = options.logger ?? consoleLogger
  if (!logger || typeof logger.warn !== 'function')
    throw new TypeError(`${providerName}: options.logger must have a warn(message) method`)
  return { storageName: flagDefinitionsStorageName(key), maxAgeMs, leaseMs, timeoutMs, logger }
}

/**
 * The name of the shared entry of `key` in any store: 128 bits of SHA-256 of the key in hex, then `.v` and the
 * schema version (e.g. `3f2a…9c.v2`). Safe in any key, file or row name, and reveals nothing of the key. The
 * schema version is part of it so that, during a rolling upgrade to a package storing another layout, each
 * version keeps its own entry and lease instead of overwriting the other's every interval.
 *
 * @experimental May change in a minor version.
 */
export function flagDefinitionsStorageName(key: string): string {
  const digest = createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 32)
  return `${digest}.v${FLAG_DEFINITIONS_SCHEMA_VERSION}`
}
