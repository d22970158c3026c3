import { randomBytes } from 'node:crypto'

/** A random owner token: only the caller that took a lease can release it. */
export function newLeaseToken(): string {
  return randomBytes(16).toString('hex')
}
