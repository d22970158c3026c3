// Run in a child process (bundled by autocapture-process.test.ts): installs autocapture with a client that prints
// what it receives as JSON lines, then throws an uncaught exception.
import { ErrorTracking, type ErrorTrackingClient } from '../../../src/error-tracking'
import { installNodeErrorTracking } from '../../../src/error-tracking/node'

installNodeErrorTracking()
const print = (record: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(record)}\n`)
const pending: Promise<unknown>[] = []
const client: ErrorTrackingClient = {
  capture: (message) => print({ captured: message.properties?.$exception_list }),
  captureImmediate: async () => {},
  addPendingPromise: (promise) => {
    pending.push(promise)
    return promise
  },
  shutdown: async (ms) => {
    await Promise.all(pending)
    print({ shutdown: ms ?? null })
  },
}
new ErrorTracking(client, { enableExceptionAutocapture: true })

if (process.env.WITH_USER_LISTENER) {
  process.on('uncaughtException', (error) => print({ userListener: String(error) }))
  setTimeout(() => print({ stillRunning: true }), 100)
}
setTimeout(() => {
  throw new Error('fatal boom')
}, 0)
