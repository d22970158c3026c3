// Bucketing: the first 15 hex digits (60 bits) of SHA-1(`${flagKey}.${id}${salt}`) scaled to [0, 1].
import { digestBytes, digestState, writeBytes, writeUtf8 } from './sha1'

/** Upstream's LONG_SCALE, 0xfffffffffffffff (15 hex f's), which as a double is exactly 2^60. */
const LONG_SCALE = 2 ** 60
const VARIANT_SALT = new TextEncoder().encode('variant')
const DOT = new TextEncoder().encode('.')

let customSha1: ((input: string) => string) | undefined

/**
 * Replaces the built-in pure-JS SHA-1 (e.g. with node:crypto). The function must return the lowercase hex digest
 * of the UTF-8 encoding of its input. Pass `undefined` to restore the built-in one.
 */
export function setSha1Implementation(fn: ((input: string) => string) | undefined): void {
  customSha1 = fn
}

/**
 * The flag's hash of an id as a fraction in [0, 1]: the rollout hash, or with `forVariant` the variant hash (salt
 * 'variant'). The input is encoded straight into the SHA-1
 * buffer (no concatenated string), and the 60-bit prefix is built from the digest words: parseInt of 15 hex
 * digits and this sum round the same exact integer once, so the results are bit-identical.
 */
export function rolloutHash(flagKey: string, id: string, forVariant: boolean): number {
  if (customSha1) {
    const hex = customSha1(forVariant ? `${flagKey}.${id}variant` : `${flagKey}.${id}`)
    return parseInt(hex.slice(0, 15), 16) / LONG_SCALE
  }
  let end = writeUtf8(flagKey, 0)
  end = writeBytes(DOT, end)
  end = writeUtf8(id, end)
  if (forVariant) end = writeBytes(VARIANT_SALT, end)
  digestBytes(end)
  return ((digestState[0] >>> 0) * 0x10000000 + (digestState[1] >>> 4)) / LONG_SCALE
}
