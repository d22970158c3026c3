// Date targets of is_date_before / is_date_after: relative ("-7d") or anything `new Date` accepts.
import type { RelativeDate } from './model'

const RELATIVE = /^-?([0-9]+)([a-z])$/

/**
 * Parses "7d", "-7d", "000h"... (digits then one lowercase unit letter; the sign is ignored). Amounts of 10000 and
 * more, and units other than h, d, w, m, y, are not relative dates.
 */
export function parseRelativeDate(text: string): RelativeDate | null {
  const match = RELATIVE.exec(text)
  if (!match) return null
  const amount = parseInt(match[1], 10)
  if (amount >= 10000) return null
  const unit = match[2]
  if (unit !== 'h' && unit !== 'd' && unit !== 'w' && unit !== 'm' && unit !== 'y') return null
  return { amount, unit }
}

/** The instant `amount` units before now, in epoch ms (UTC calendar arithmetic for months and years). */
export function relativeDateMs(amount: number, unit: string, nowMs: number): number {
  const date = new Date(nowMs)
  if (unit === 'h') date.setUTCHours(date.getUTCHours() - amount)
  else if (unit === 'd') date.setUTCDate(date.getUTCDate() - amount)
  else if (unit === 'w') date.setUTCDate(date.getUTCDate() - 7 * amount)
  else if (unit === 'm') date.setUTCMonth(date.getUTCMonth() - amount)
  else date.setUTCFullYear(date.getUTCFullYear() - amount)
  return date.getTime()
}

/**
 * A property value as epoch ms: Date instances as they are (even invalid ones), strings and numbers through
 * `new Date`; undefined when the value is not a date.
 */
export function dateValueMs(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime()
  if (typeof value === 'string' || typeof value === 'number') {
    const ms = new Date(value).getTime()
    return Number.isNaN(ms) ? undefined : ms
  }
  return undefined
}
