// How one entry fits DynamoDB's 400 KB item limit. The payload (the codec's encoded entry, gzip-compressed by
// default for this provider) is kept in the head item when it fits; otherwise it is split into at most MAX_CHUNKS
// chunk items. A SHA-256 of the whole payload is kept on the head, so a reader that assembled chunks of two
// different writes (or someone else's items) notices instead of handing over a spliced entry.
import { createHash } from 'node:crypto'

/** The most payload bytes kept in the head item (the rest of the 400 KB is left for the other attributes). */
export const INLINE_BYTES = 350_000
/** Payload bytes per chunk item. */
export const CHUNK_BYTES = 350_000
/** The most chunk items of one entry: about 11 MB of (compressed) definitions. */
export const MAX_CHUNKS = 32

export interface SplitPayload {
  /** The whole payload as UTF-8: what the digest and `size` cover. */
  bytes: Buffer
  digest: string
  /** The chunks to write before the head; empty when the payload fits in the head. */
  chunks: Buffer[]
}

export function digestOf(payload: Uint8Array): string {
  return createHash('sha256').update(payload).digest('hex')
}

/** Splits a payload for storage; throws when it needs more than MAX_CHUNKS items. */
export function splitPayload(payload: string): SplitPayload {
  const bytes = Buffer.from(payload, 'utf8')
  const chunks: Buffer[] = []
  if (bytes.length > INLINE_BYTES) {
    if (bytes.length > MAX_CHUNKS * CHUNK_BYTES) {
      throw new Error(
        `the definitions take ${bytes.length} bytes stored; one DynamoDB entry holds at most ` +
          `${MAX_CHUNKS * CHUNK_BYTES} (${MAX_CHUNKS} items of ${CHUNK_BYTES} bytes; keep compress: 'gzip')`
      )
    }
    for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) {
      chunks.push(bytes.subarray(offset, offset + CHUNK_BYTES))
    }
  }
  return { bytes, digest: digestOf(bytes), chunks }
}

/** The payload from its parts, or why not: the digest must match what the head recorded. */
export function joinPayload(parts: Uint8Array[], digest: unknown): { payload: string } | { refused: string } {
  const bytes = Buffer.concat(parts)
  if (digest !== digestOf(bytes)) {
    return { refused: 'stored payload does not match its digest (an incomplete or foreign write)' }
  }
  return { payload: bytes.toString('utf8') }
}
