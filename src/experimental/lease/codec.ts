// The one entry format every store keeps: a header line, then the body.
//
//   phfd/<schema version> <json|gzip> <HMAC-SHA256 hex, or ->\n<body>
//
// The body is the definitions as JSON, or gzip of that JSON in base64 (so every store that keeps text can keep it).
// The tag covers the header's first two fields and the body exactly as stored. A reader refuses, before parsing
// anything, an entry larger than the bound; then another schema version, a missing or wrong tag (when it has a
// secret), a body that inflates past the bound, and data that fails validation. Whoever can write to the store
// therefore cannot make a process allocate without bound, and without the secret cannot feed it definitions.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import { gunzip, gzip } from 'node:zlib'
import { validateFlagDefinitions } from '../../definitions/validate'
import { COMPRESS_ABOVE_BYTES, DEFAULT_MAX_ENTRY_BYTES } from '../../shared/defaults'
import type { FlagDefinitionCacheData } from '../../contracts/provider'
import { FLAG_DEFINITIONS_SCHEMA_VERSION } from './schema-version'

const gzipAsync = promisify(gzip)
const gunzipAsync = promisify(gunzip)

const HEADER = /^phfd\/(\d{1,9}) (json|gzip) ([0-9a-f]{64}|-)$/
const LONGEST_HEADER = 'phfd/123456789 gzip '.length + 64

/**
 * Options of {@link FlagDefinitionsCodec}: the entry-format part of {@link SharedFlagDefinitionCacheOptions}.
 *
 * @experimental May change in a minor version.
 */
export interface FlagDefinitionsCodecOptions {
  /** The key the entry belongs to; the HMAC is bound to it. See {@link SharedFlagDefinitionCacheOptions.key}. */
  key: string
  /** See {@link SharedFlagDefinitionCacheOptions.secret}. */
  secret?: string
  /** See {@link SharedFlagDefinitionCacheOptions.maxEntryBytes}. */
  maxEntryBytes?: number
  /** See {@link SharedFlagDefinitionCacheOptions.compress}. */
  compress?: 'gzip' | false
}

/**
 * Decoded definitions, or why the entry cannot be used.
 *
 * @experimental May change in a minor version.
 */
export type FlagDefinitionsDecodeResult = { ok: true; data: FlagDefinitionCacheData } | { ok: false; reason: string }

/**
 * Turns definitions into the stored entry and back: schema version, optional gzip, optional HMAC tag, size bound,
 * validation. {@link LeasedFlagDefinitionCache} applies it to every read and write; a store never needs it, except
 * to inspect entries (tools, tests).
 *
 * @experimental May change in a minor version.
 */
export class FlagDefinitionsCodec {
  /** Entries larger than this many bytes are refused, stored or inflated. */
  readonly maxEntryBytes: number
  /** Derived from the secret (never the secret itself); undefined without one. */
  private readonly hmacKey: Buffer | undefined
  private readonly compress: 'gzip' | false | undefined

  /**
   * Throws a TypeError naming the option when an option is invalid.
   *
   * @param options - the key and the entry-format options.
   * @param ownerName - named in error messages. Default `'FlagDefinitionsCodec'`.
   */
  constructor(options: FlagDefinitionsCodecOptions, ownerName = 'FlagDefinitionsCodec') {
    const { key, secret, maxEntryBytes, compress } = options ?? {}
    if (typeof key !== 'string' || key.length === 0) {
      throw new TypeError(`${ownerName}: options.key must be a non-empty string`)
    }
    if (secret !== undefined && (typeof secret !== 'string' || secret.length === 0)) {
      throw new TypeError(`${ownerName}: options.secret must be a non-empty string shared by every process`)
    }
    if (
      maxEntryBytes !== undefined &&
      (typeof maxEntryBytes !== 'number' || !Number.isSafeInteger(maxEntryBytes) || maxEntryBytes <= 0)
    ) {
      throw new TypeError(
        `${ownerName}: options.maxEntryBytes must be a positive whole number of bytes, got ${String(maxEntryBytes)}`
      )
    }
    if (compress !== undefined && compress !== false && compress !== 'gzip') {
      throw new TypeError(`${ownerName}: options.compress must be 'gzip' or false, got ${JSON.stringify(compress)}`)
    }
    this.maxEntryBytes = maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES
    this.compress = compress
    // Bound to the key too, so an entry copied under another key's name fails its check.
    this.hmacKey =
      secret === undefined
        ? undefined
        : createHmac('sha256', secret).update(`posthog-node flag definitions\0${key}`, 'utf8').digest()
  }

  /** The stored form of `data`; rejects when it would exceed `maxEntryBytes` (readers would refuse it). */
  async encode(data: FlagDefinitionCacheData): Promise<string> {
    const json = JSON.stringify(data)
    const jsonBytes = Buffer.byteLength(json, 'utf8')
    if (jsonBytes > this.maxEntryBytes) throw new EntryTooLargeError(jsonBytes, this.maxEntryBytes)
    const gzipped = this.compress === 'gzip' || (this.compress === undefined && jsonBytes > COMPRESS_ABOVE_BYTES)
    const encoding = gzipped ? 'gzip' : 'json'
    const body = gzipped ? (await gzipAsync(json)).toString('base64') : json
    const signed = `phfd/${FLAG_DEFINITIONS_SCHEMA_VERSION} ${encoding}`
    const payload = `${signed} ${this.tag(signed, body) ?? '-'}\n${body}`
    const bytes = Buffer.byteLength(payload, 'utf8')
    if (bytes > this.maxEntryBytes) throw new EntryTooLargeError(bytes, this.maxEntryBytes)
    return payload
  }

  /** The definitions in a stored entry, or why they cannot be used. Never throws. */
  async decode(payload: string): Promise<FlagDefinitionsDecodeResult> {
    if (typeof payload !== 'string') return { ok: false, reason: `stored entry is a ${typeof payload}, not text` }
    // The length in UTF-16 units bounds the UTF-8 size from below; counting bytes reads but never copies.
    if (payload.length > this.maxEntryBytes || Buffer.byteLength(payload, 'utf8') > this.maxEntryBytes) {
      return { ok: false, reason: oversizedEntry(Buffer.byteLength(payload, 'utf8'), this.maxEntryBytes) }
    }
    const newline = payload.indexOf('\n')
    const header = newline >= 0 && newline <= LONGEST_HEADER ? HEADER.exec(payload.slice(0, newline)) : null
    if (!header) return { ok: false, reason: 'stored entry has no header this package writes (phfd/<version> ...)' }
    const [, version, encoding, tag] = header as unknown as [string, string, 'json' | 'gzip', string]
    if (Number(version) !== FLAG_DEFINITIONS_SCHEMA_VERSION) {
      return {
        ok: false,
        reason: `stored entry has schema version ${version}, this package reads version ${FLAG_DEFINITIONS_SCHEMA_VERSION}`,
      }
    }
    const body = payload.slice(newline + 1)
    if (this.hmacKey) {
      if (tag === '-') {
        return { ok: false, reason: 'stored entry has no HMAC tag, but this provider has a secret' }
      }
      const expected = this.tag(`phfd/${version} ${encoding}`, body)!
      if (!timingSafeEqual(Buffer.from(tag, 'hex'), Buffer.from(expected, 'hex'))) {
        return {
          ok: false,
          reason: 'stored entry has a wrong HMAC tag (written with another secret, or by someone without it)',
        }
      }
    }
    let json: string
    if (encoding === 'gzip') {
      try {
        json = (await gunzipAsync(Buffer.from(body, 'base64'), { maxOutputLength: this.maxEntryBytes })).toString(
          'utf8'
        )
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        return {
          ok: false,
          reason:
            code === 'ERR_BUFFER_TOO_LARGE'
              ? `stored entry inflates to more than maxEntryBytes (${this.maxEntryBytes})`
              : `stored entry is not valid gzip (${(error as Error).message})`,
        }
      }
    } else {
      json = body
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(json)
    } catch (error) {
      return { ok: false, reason: `stored definitions are not valid JSON (${(error as Error).message})` }
    }
    const result = validateFlagDefinitions(parsed)
    return result.ok ? result : { ok: false, reason: `stored definitions are invalid: ${result.reason}` }
  }

  private tag(signed: string, body: string): string | undefined {
    if (!this.hmacKey) return undefined
    return createHmac('sha256', this.hmacKey).update(signed, 'utf8').update('\n').update(body, 'utf8').digest('hex')
  }
}

/** Why an entry of `bytes` bytes is refused: the same words from the codec and from every store's read. */
export const oversizedEntry = (bytes: number | string, max: number, consequence = 'refused before parsing'): string =>
  `stored entry is ${bytes} bytes, more than maxEntryBytes (${max}); ${consequence}`

/** Raised by {@link FlagDefinitionsCodec.encode} for definitions larger than `maxEntryBytes`. */
export class EntryTooLargeError extends Error {
  constructor(bytes: number, max: number) {
    super(`the definitions take ${bytes} bytes, more than maxEntryBytes (${max}); not writing them`)
    this.name = 'EntryTooLargeError'
  }
}
