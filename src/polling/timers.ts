// Timers of the refresh loop must never keep a process alive: a script that forgets shutdown() still exits.
// Edge runtimes return plain numbers without unref(), hence the guard.

export type TimerHandle = ReturnType<typeof setTimeout>

export function unrefTimeout(callback: () => void, ms: number): TimerHandle {
  const handle = setTimeout(callback, ms)
  const maybeUnref = handle as { unref?: () => unknown }
  if (typeof maybeUnref === 'object' && typeof maybeUnref.unref === 'function') maybeUnref.unref()
  return handle
}

/** Node fires timers above 2^31-1 ms (or NaN) after ~1 ms, so every delay is clamped into the valid range. */
export const MAX_TIMER_MS = 2 ** 31 - 1

export function sanitizeDelay(ms: number, fallback: number, min = 0): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return fallback
  return Math.min(MAX_TIMER_MS, Math.max(min, ms))
}
