// What the client and both entries use. `installNodeErrorTracking` is deliberately not here but in './node': this
// module is shared by the edge build, and rollup keeps a shared module's `node:*` imports even when unused.
export { ErrorTracking } from './error-tracking'
export { installEdgeErrorTracking } from './install-edge'
export type {
  ErrorTrackingClient,
  ErrorTrackingLogger,
  ErrorTrackingOptions,
  EventHint,
  ExceptionEventMessage,
  ExceptionLevel,
} from './types'
