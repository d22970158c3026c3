// Date targets of is_date_before / is_date_after: relative ("-7d") or anything `new Date` accepts.
/** A distance back from now: `amount` hours, days, weeks, months or years. */
export interface RelativeDate {
  amount: number
  unit: string
}

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

const HOUR = 3600000
const DAY = 86400000
/** The largest distance from the epoch a Date can hold. */
const MAX_DATE_MS = 8.64e15

/** The instant `amount` units before now, in epoch ms (UTC calendar arithmetic for months and years). */
export function relativeDateMs(amount: number, unit: string, nowMs: number): number {
  // Hours, days and weeks are fixed lengths in UTC, so setUTCHours/setUTCDate reduce to subtraction.
  if (unit === 'h') return nowMs - amount * HOUR
  if (unit === 'd') return nowMs - amount * DAY
  if (unit === 'w') return nowMs - amount * 7 * DAY
  const date = new Date(nowMs)
  if (unit === 'm') date.setUTCMonth(date.getUTCMonth() - amount)
  else date.setUTCFullYear(date.getUTCFullYear() - amount)
  return date.getTime()
}

/**
 * A property value as epoch ms, exactly as `new Date(value)` would give it (without allocating one): Date
 * instances as they are (even invalid ones), strings through the Date parser, numbers time-clipped; undefined when
 * the value is not a valid date.
 */
export function dateValueMs(value: unknown): number | undefined {
  if (typeof value === 'string') {
    const ms = Date.parse(value)
    return Number.isNaN(ms) ? undefined : ms
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) && Math.abs(value) <= MAX_DATE_MS ? Math.trunc(value) : undefined
  }
  if (value instanceof Date) return value.getTime()
  return undefined
}
