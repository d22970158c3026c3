// captureException and exception autocapture for one client.
import { BucketedRateLimiter, type ErrorTracking as CoreErrorTracking, type Logger, uuidv7 } from '@posthog/core'
import { addUncaughtExceptionListener, addUnhandledRejectionListener } from './autocapture'
import { createErrorPropertiesBuilder } from './properties-builder'
import {
  type ErrorTrackingClient,
  type ErrorTrackingLogger,
  type ErrorTrackingOptions,
  type EventHint,
  type ExceptionEventMessage,
} from './types'

// Time the client gets to flush before the process exits after an uncaught exception.
const FATAL_SHUTDOWN_TIMEOUT_MS = 2000
// Per exception type: 10 tokens, one back every 10 s. The call that empties the bucket is already refused, so a
// burst yields 9 captures.
const RATE_LIMIT = { bucketSize: 10, refillRate: 1, refillInterval: 10000 }
const DEFAULT_EXCEPTION_TYPE = 'Exception'

const silentLogger: Logger = {
  info: () => {},
  warn: () => {},
  error: () => {},
  critical: () => {},
  createLogger: () => silentLogger,
}

function loggerFrom(logger: ErrorTrackingLogger | undefined): Logger {
  if (!logger) return silentLogger
  return { ...silentLogger, info: (...a) => logger.info(...a), error: (...a) => logger.error(...a) }
}

export class ErrorTracking {
  /**
   * Set once per entry point (node: with the source-context and module-name frame modifiers; edge: without).
   * Until an entry sets it, a builder without frame modifiers is used.
   */
  static errorPropertiesBuilder: CoreErrorTracking.ErrorPropertiesBuilder | undefined

  private readonly rateLimiter: BucketedRateLimiter<string>
  private readonly logger: Logger
  private readonly removeListeners: (() => void)[] = []
  private exiting = false

  static async buildEventMessage(
    error: unknown,
    hint: EventHint,
    distinctId?: string,
    additionalProperties?: Record<string | number, unknown>
  ): Promise<ExceptionEventMessage> {
    const builder = (ErrorTracking.errorPropertiesBuilder ??= createErrorPropertiesBuilder())
    const exceptionProperties = builder.buildFromUnknown(error, hint)
    exceptionProperties.$exception_list = await builder.modifyFrames(exceptionProperties.$exception_list)
    const properties: Record<string | number, unknown> = { ...exceptionProperties, ...additionalProperties }
    // Anonymous exceptions must not create person profiles.
    if (!distinctId) properties.$process_person_profile = false
    return { event: '$exception', distinctId: distinctId || uuidv7(), properties }
  }

  constructor(
    private readonly client: ErrorTrackingClient,
    options: ErrorTrackingOptions,
    logger?: ErrorTrackingLogger
  ) {
    this.logger = loggerFrom(logger)
    this.rateLimiter = new BucketedRateLimiter<string>({ ...RATE_LIMIT, _logger: this.logger })
    if (options.enableExceptionAutocapture && !options.disabled) {
      const capture = (error: unknown, hint: EventHint): void => this.onAutocapturedException(error, hint)
      this.removeListeners.push(
        addUncaughtExceptionListener(capture, (error) => void this.onFatalError(error)),
        addUnhandledRejectionListener(capture)
      )
    }
  }

  /** Builds and captures an `$exception` event; returns at once (the work is tracked as pending for shutdown). */
  captureException(error: unknown, distinctId?: string, additionalProperties?: Record<string | number, unknown>): void {
    const hint = { syntheticException: new Error('PostHog syntheticException') }
    const work = ErrorTracking.buildEventMessage(error, hint, distinctId, additionalProperties).then((message) =>
      this.client.capture(message)
    )
    void this.client.addPendingPromise(this.logged(work))
  }

  /** Like `captureException`, but sends at once and resolves after the send finished (upstream resolved before). */
  async captureExceptionImmediate(
    error: unknown,
    distinctId?: string,
    additionalProperties?: Record<string | number, unknown>
  ): Promise<void> {
    const hint = { syntheticException: new Error('PostHog syntheticException') }
    const work = ErrorTracking.buildEventMessage(error, hint, distinctId, additionalProperties).then((message) =>
      this.client.captureImmediate(message)
    )
    await this.client.addPendingPromise(this.logged(work))
  }

  /** Clears the rate limiter and removes the process listeners (kept while a fatal exit is flushing). */
  shutdown(): void {
    this.rateLimiter.stop()
    if (this.exiting) return
    for (const remove of this.removeListeners.splice(0)) remove()
  }

  private onAutocapturedException(error: unknown, hint: EventHint): void {
    const work = (async () => {
      const message = await ErrorTracking.buildEventMessage(error, hint)
      const exceptionList = message.properties.$exception_list as CoreErrorTracking.ExceptionList
      const exceptionType = exceptionList[0]?.type ?? DEFAULT_EXCEPTION_TYPE
      if (this.rateLimiter.consumeRateLimit(exceptionType)) {
        this.logger.info('Skipping exception capture because of client rate limiting.', { exception: exceptionType })
        return
      }
      this.client.capture(message)
    })()
    void this.client.addPendingPromise(this.logged(work))
  }

  private async onFatalError(error: unknown): Promise<void> {
    this.exiting = true
    // Node prints the error itself only when it crashes; we took over, so print it like Node would.
    console.error(error)
    try {
      await this.client.shutdown(FATAL_SHUTDOWN_TIMEOUT_MS)
    } catch (shutdownError) {
      this.logger.error('Error while flushing before exit:', shutdownError)
    } finally {
      process.exit(1)
    }
  }

  // Pending promises must never reject: core's shutdown waits on all of them and would fail with it.
  private logged(work: Promise<unknown>): Promise<void> {
    return work.then(
      () => undefined,
      (err: unknown) => this.logger.error('Failed to capture exception:', err)
    )
  }
}
