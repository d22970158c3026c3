// Entry-point side effect of the edge build: exception properties without any frame modifier (no file system).
import { ErrorTracking } from './error-tracking'
import { createErrorPropertiesBuilder } from './properties-builder'

export function installEdgeErrorTracking(): void {
  ErrorTracking.errorPropertiesBuilder = createErrorPropertiesBuilder()
}
