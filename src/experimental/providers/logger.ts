/**
 * Where a shipped provider reports what went wrong (store unreachable, unreadable entry, refused file).
 *
 * @experimental May change in a minor version.
 */
export interface FlagDefinitionCacheLogger {
  /** Problems: the provider fell back (to an API fetch or a cache miss) because of them. */
  warn(message: string): void
  /** Routine events (lease taken, definitions stored). Optional; silent when absent. */
  debug?(message: string): void
}

/** The default: problems go to console.warn, routine events nowhere. */
export const consoleLogger: FlagDefinitionCacheLogger = {
  warn: (message) => console.warn(message),
}

/**
 * Prefixes messages with the provider's name and drops a warning that repeats the previous one, so a store that
 * stays down for an hour does not print the same line on every poll of every worker.
 */
export class ProviderLog {
  private lastWarning: string | undefined

  constructor(
    private readonly name: string,
    private readonly logger: FlagDefinitionCacheLogger
  ) {}

  warn(message: string): void {
    if (message === this.lastWarning) return
    this.lastWarning = message
    try {
      this.logger.warn(`[PostHog ${this.name}] ${message}`)
    } catch {
      // A throwing logger must not turn a handled problem into an unhandled one.
    }
  }

  /** A success ends a run of identical warnings: the next failure is news again. */
  recovered(): void {
    this.lastWarning = undefined
  }

  debug(message: string): void {
    try {
      this.logger.debug?.(`[PostHog ${this.name}] ${message}`)
    } catch {
      // as above
    }
  }
}
