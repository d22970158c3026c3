import { OncePerKind } from '../../shared/once-per-kind'

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
 * Prefixes messages with the provider's name and reports each kind of problem once: a store that stays down for an
 * hour, or fails three different ways in turn, does not print a line on every poll of every worker. A kind is news
 * again once the operation it belongs to has succeeded.
 */
export class ProviderLog {
  private readonly warnings: OncePerKind

  constructor(
    private readonly name: string,
    private readonly logger: FlagDefinitionCacheLogger
  ) {
    this.warnings = new OncePerKind((message) => logger.warn(`[PostHog ${name}] ${message}`))
  }

  /** Reports `message` unless a problem of this `kind` was reported and has not recovered since. */
  warn(kind: string, message: string): void {
    this.warnings.warn(kind, message)
  }

  /** The operation behind `kind` succeeded: its next failure is news again. */
  recovered(kind: string): void {
    this.warnings.recovered(kind)
  }

  debug(message: string): void {
    try {
      this.logger.debug?.(`[PostHog ${this.name}] ${message}`)
    } catch {
      // A throwing logger must not turn a handled problem into an unhandled one.
    }
  }
}
