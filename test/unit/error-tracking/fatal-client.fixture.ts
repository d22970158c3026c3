// Run in a child process (bundled by autocapture-process.test.ts): a real client with autocapture, sending to the
// host given in POSTHOG_HOST, then an uncaught exception.
import { PostHog } from '../../../src/entrypoints/index.node'

new PostHog('phc_test', {
  host: process.env.POSTHOG_HOST,
  enableExceptionAutocapture: true,
  disableCompression: true,
  fetchRetryCount: 0,
})

setTimeout(() => {
  throw new Error('crash with a real client')
}, 0)
