import { randomBytes } from 'node:crypto'

/**
 * 128 random bits in hex: the owner token of a lease (only the caller that took it can release it), a provider
 * instance's id in its change notifications, a temp file's unique name.
 */
export function randomToken(): string {
  return randomBytes(16).toString('hex')
}
