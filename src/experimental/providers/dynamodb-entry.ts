// How one entry fits DynamoDB's 400 KB item limit: the JSON is gzip-compressed; a payload that still does not fit
// in the head item is split into at most MAX_CHUNKS chunk items. A SHA-256 of the whole payload is kept on the head,
// so a reader that assembled chunks of two different writes (or an attacker's) notices instead of decoding garbage.
import { createHash } from 'node:crypto'
import { promisify } from 'node:util'
import { gunzip, gzip } from 'node:zlib'
import type { FlagDefinitionCacheData } from '../provider'
import { decodeStoredData, type DecodeResult } from './stored-entry'

const gzipAsync = promisify(gzip)
const gunzipAsync = promisify(gunzip)

/** The most payload bytes kept in the head item (the rest of the 400 KB is left for the other attributes). */
export const INLINE_BYTES = 350_000
/** Payload bytes per chunk item. */
export const CHUNK_BYTES = 350_000
/** The most chunk items of one entry: about 11 MB of compressed definitions. */
export const MAX_CHUNKS = 32
/** A stored payload never inflates beyond this (a gzip bomb written by someone else is refused, not decoded). */
export const MAX_DECODED_BYTES = 64 * 1024 * 1024

export type PayloadEncoding = 'gzip' | 'json'

export interface EncodedEntry {
  encoding: PayloadEncoding
  /** The whole payload: what the digest covers. */
  payload: Buffer
  digest: string
  /** The chunks to write before the head; empty when the payload fits in the head. */
  chunks: Buffer[]
}

export function digestOf(payload: Uint8Array): string {
  return createHash('sha256').update(payload).digest('hex')
}

export async function encodeEntry(data: FlagDefinitionCacheData): Promise<EncodedEntry> {
  const payload = await gzipAsync(Buffer.from(JSON.stringify(data), 'utf8'))
  const chunks: Buffer[] = []
  if (payload.length > INLINE_BYTES) {
    for (let offset = 0; offset < payload.length; offset += CHUNK_BYTES) {
      chunks.push(payload.subarray(offset, offset + CHUNK_BYTES))
    }
    if (chunks.length > MAX_CHUNKS) {
      throw new Error(
        `the definitions are ${payload.length} bytes after compression; one DynamoDB entry holds at most ` +
          `${MAX_CHUNKS * CHUNK_BYTES} (${MAX_CHUNKS} items of ${CHUNK_BYTES} bytes)`
      )
    }
  }
  return { encoding: 'gzip', payload, digest: digestOf(payload), chunks }
}

/** Checks the digest, inflates (bounded) and decodes; `version` has already been read from the head. */
export async function decodePayload(
  version: unknown,
  encoding: unknown,
  payload: Uint8Array,
  digest: unknown
): Promise<DecodeResult> {
  if (digest !== digestOf(payload)) {
    return { ok: false, reason: 'stored payload does not match its digest (incomplete or foreign write)' }
  }
  let text: string
  if (encoding === 'json') {
    text = Buffer.from(payload).toString('utf8')
  } else if (encoding === 'gzip') {
    try {
      text = (await gunzipAsync(payload, { maxOutputLength: MAX_DECODED_BYTES })).toString('utf8')
    } catch (error) {
      return { ok: false, reason: `stored payload does not inflate (${(error as Error).message})` }
    }
  } else {
    return { ok: false, reason: `stored payload has an unknown encoding ${JSON.stringify(encoding)}` }
  }
  return decodeStoredData(version, text)
}
