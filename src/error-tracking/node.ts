// Entry-point side effect of the node build: frames get module names and source context lines. Only the node entry
// imports this module (not re-exported from ./index), so the edge build never pulls node:fs, node:readline or node:path.
import { createSourceContextModifier } from './context-lines.node'
import { ErrorTracking } from './error-tracking'
import { createModuleNameModifier } from './module-name.node'
import { createErrorPropertiesBuilder } from './properties-builder'

export function installNodeErrorTracking(): void {
  ErrorTracking.errorPropertiesBuilder = createErrorPropertiesBuilder([
    createModuleNameModifier(),
    createSourceContextModifier(),
  ])
}
