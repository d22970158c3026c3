import { createHash } from 'node:crypto'
import { consoleLogger, type FlagDefinitionCacheLogger } from './logger'

/**
 * Options every shipped provider takes.
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
}

export interface ResolvedSharedOptions {
  key: string
  /** A hash of the key: what storage names are built from (no secret, no odd characters). */
  keyHash: string
  maxAgeMs: number
  leaseMs: number
  timeoutMs: number
  logger: FlagDefinitionCacheLogger
}

function positiveMs(name: string, value: unknown, fallback: number, providerName: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 2 ** 31 - 1) {
    throw new TypeError(
      `${providerName}: options.${name} must be a positive number of milliseconds, got ${String(value)}`
    )
  }
  return Math.ceil(value)
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
  const maxAgeMs = positiveMs('maxAgeMs', options.maxAgeMs, 30_000, providerName)
  const leaseMs = positiveMs('leaseMs', options.leaseMs, Math.min(10_000, maxAgeMs), providerName)
  const timeoutMs = positiveMs('timeoutMs', options.timeoutMs, 2_000, providerName)
  const logger = options.logger ?? consoleLogger
  if (typeof logger.warn !== 'function')
    throw new TypeError(`${providerName}: options.logger must have a warn(message) method`)
  return { key, keyHash: hashKey(key), maxAgeMs, leaseMs, timeoutMs, logger }
}

/** 128 bits of SHA-256 in hex: collision-free in practice and safe in any storage name. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 32)
}
