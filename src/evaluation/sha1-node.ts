// SHA-1 from node:crypto, for the node entry point to install with setSha1Implementation.
import { createHash } from 'node:crypto'

/** Lowercase hex SHA-1 of the UTF-8 encoding of `input`. */
export const nodeSha1Hex = (input: string): string => createHash('sha1').update(input, 'utf8').digest('hex')
