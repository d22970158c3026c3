// A stand-in for the PostHog client as the integrations see it.
import { type ExceptionEventMessage } from '../../../src/error-tracking'
import { type PostHogWithPendingWork } from '../../../src/integrations'

export class FakePostHog implements PostHogWithPendingWork {
  captured: ExceptionEventMessage[] = []
  pending: Promise<unknown>[] = []

  constructor(
    readonly apiKey = 'phc_test_key',
    readonly options: { host?: string } = {}
  ) {}

  capture(message: ExceptionEventMessage): void {
    this.captured.push(message)
  }

  addPendingPromise<T>(promise: Promise<T>): Promise<T> {
    this.pending.push(promise)
    return promise
  }
}
