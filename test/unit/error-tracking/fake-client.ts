// A stand-in for the PostHog client that records what error tracking hands it.
import { type ErrorTrackingClient, type ExceptionEventMessage } from '../../../src/error-tracking'

export class FakeClient implements ErrorTrackingClient {
  captured: ExceptionEventMessage[] = []
  capturedImmediately: ExceptionEventMessage[] = []
  pending: Promise<unknown>[] = []
  shutdownCalls: (number | undefined)[] = []
  immediateDelayMs = 0

  capture(message: ExceptionEventMessage): void {
    this.captured.push(message)
  }

  async captureImmediate(message: ExceptionEventMessage): Promise<void> {
    if (this.immediateDelayMs) await new Promise((resolve) => setTimeout(resolve, this.immediateDelayMs))
    this.capturedImmediately.push(message)
  }

  addPendingPromise<T>(promise: Promise<T>): Promise<T> {
    this.pending.push(promise)
    return promise
  }

  async shutdown(ms?: number): Promise<void> {
    this.shutdownCalls.push(ms)
    await this.settle()
  }

  /** Waits until every pending promise (including ones added meanwhile) has settled. */
  async settle(): Promise<void> {
    let seen = 0
    while (seen < this.pending.length) {
      seen = this.pending.length
      await Promise.allSettled(this.pending)
    }
  }
}

export type ExceptionEntry = {
  type?: string
  value?: string
  mechanism?: { type?: string; handled?: boolean; synthetic?: boolean }
  stacktrace?: { type: string; frames?: Record<string, unknown>[] }
}

export function exceptionList(message: ExceptionEventMessage): ExceptionEntry[] {
  return message.properties.$exception_list as ExceptionEntry[]
}
