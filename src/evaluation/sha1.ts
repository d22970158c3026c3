// A synchronous SHA-1 in plain JavaScript, so bucketing stays sync on every runtime (the edge build has no
// node:crypto and WebCrypto's digest is async). Written for short inputs: one reused buffer, no per-call garbage
// besides the optional hex string.

let bytes = new Uint8Array(256)
const w = new Int32Array(80)

/** The digest of the last {@link digestBytes} call, as five 32-bit words. */
export const digestState = new Int32Array(5)

/** Makes room for `needed` bytes plus the largest padding (72 bytes). */
function reserve(needed: number): void {
  if (needed + 72 <= bytes.length) return
  let size = bytes.length
  while (size < needed + 72) size *= 2
  const next = new Uint8Array(size)
  next.set(bytes)
  bytes = next
}

/**
 * Writes `text` as UTF-8 at `offset` of the shared buffer and returns the end offset. Lone surrogates become U+FFFD,
 * as TextEncoder and Buffer do, so digests match theirs.
 */
export function writeUtf8(text: string, offset: number): number {
  reserve(offset + text.length * 3)
  const out = bytes
  let j = offset
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i)
    if (c < 0x80) {
      out[j++] = c
    } else if (c < 0x800) {
      out[j++] = 0xc0 | (c >> 6)
      out[j++] = 0x80 | (c & 0x3f)
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00)
        i++
        out[j++] = 0xf0 | (c >> 18)
        out[j++] = 0x80 | ((c >> 12) & 0x3f)
        out[j++] = 0x80 | ((c >> 6) & 0x3f)
        out[j++] = 0x80 | (c & 0x3f)
      } else {
        out[j++] = 0xef
        out[j++] = 0xbf
        out[j++] = 0xbd
      }
    } else {
      out[j++] = 0xe0 | (c >> 12)
      out[j++] = 0x80 | ((c >> 6) & 0x3f)
      out[j++] = 0x80 | (c & 0x3f)
    }
  }
  return j
}

/** Copies already-encoded bytes to `offset` of the shared buffer and returns the end offset. */
export function writeBytes(source: Uint8Array, offset: number): number {
  reserve(offset + source.length)
  bytes.set(source, offset)
  return offset + source.length
}

/** Hashes the first `length` bytes of the shared buffer into {@link digestState}. */
export function digestBytes(length: number): void {
  reserve(length)
  const out = bytes
  // Padding: 0x80, zeros up to 56 mod 64, then the bit length as a 64-bit big-endian integer.
  const total = ((length + 8) >>> 6) * 64 + 64
  out[length] = 0x80
  for (let i = length + 1; i < total - 8; i++) out[i] = 0
  const high = Math.floor(length / 0x20000000)
  const low = (length * 8) >>> 0
  out[total - 8] = high >>> 24
  out[total - 7] = high >>> 16
  out[total - 6] = high >>> 8
  out[total - 5] = high
  out[total - 4] = low >>> 24
  out[total - 3] = low >>> 16
  out[total - 2] = low >>> 8
  out[total - 1] = low

  let h0 = 0x67452301
  let h1 = 0xefcdab89 | 0
  let h2 = 0x98badcfe | 0
  let h3 = 0x10325476
  let h4 = 0xc3d2e1f0 | 0
  for (let block = 0; block < total; block += 64) {
    let a = h0
    let b = h1
    let c = h2
    let d = h3
    let e = h4
    // The four stages are separate loops (no branch per round) and the schedule is expanded as it is consumed:
    // this is the whole cost of bucketing.
    let t = 0
    for (let i = block; t < 16; t++, i += 4) {
      const x = (out[i] << 24) | (out[i + 1] << 16) | (out[i + 2] << 8) | out[i + 3]
      w[t] = x
      const temp = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + x) | 0
      e = d
      d = c
      c = (b << 30) | (b >>> 2)
      b = a
      a = temp
    }
    for (; t < 20; t++) {
      let x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16]
      x = (x << 1) | (x >>> 31)
      w[t] = x
      const temp = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + x) | 0
      e = d
      d = c
      c = (b << 30) | (b >>> 2)
      b = a
      a = temp
    }
    for (; t < 40; t++) {
      let x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16]
      x = (x << 1) | (x >>> 31)
      w[t] = x
      const temp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + x) | 0
      e = d
      d = c
      c = (b << 30) | (b >>> 2)
      b = a
      a = temp
    }
    for (; t < 60; t++) {
      let x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16]
      x = (x << 1) | (x >>> 31)
      w[t] = x
      // 0x8f1bbcdc as a signed 32-bit constant
      const temp = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e - 0x70e44324 + x) | 0
      e = d
      d = c
      c = (b << 30) | (b >>> 2)
      b = a
      a = temp
    }
    for (; t < 80; t++) {
      let x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16]
      x = (x << 1) | (x >>> 31)
      w[t] = x
      // 0xca62c1d6 as a signed 32-bit constant
      const temp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e - 0x359d3e2a + x) | 0
      e = d
      d = c
      c = (b << 30) | (b >>> 2)
      b = a
      a = temp
    }
    h0 = (h0 + a) | 0
    h1 = (h1 + b) | 0
    h2 = (h2 + c) | 0
    h3 = (h3 + d) | 0
    h4 = (h4 + e) | 0
  }
  digestState[0] = h0
  digestState[1] = h1
  digestState[2] = h2
  digestState[3] = h3
  digestState[4] = h4
}

const HEX = '0123456789abcdef'
const hexWord = (word: number): string =>
  HEX[(word >>> 28) & 15] +
  HEX[(word >>> 24) & 15] +
  HEX[(word >>> 20) & 15] +
  HEX[(word >>> 16) & 15] +
  HEX[(word >>> 12) & 15] +
  HEX[(word >>> 8) & 15] +
  HEX[(word >>> 4) & 15] +
  HEX[word & 15]

/** Lowercase hex SHA-1 of the UTF-8 encoding of `input`. */
export function sha1Hex(input: string): string {
  digestBytes(writeUtf8(input, 0))
  return (
    hexWord(digestState[0]) +
    hexWord(digestState[1]) +
    hexWord(digestState[2]) +
    hexWord(digestState[3]) +
    hexWord(digestState[4])
  )
}
