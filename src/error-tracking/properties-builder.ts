// The exception-properties builder both entries use: core's coercers and core's node stack parser. Only the frame
// modifiers differ between platforms (the edge build has none), so they are a parameter.
import { ErrorTracking as CoreErrorTracking } from '@posthog/core'

export type StackFrameModifier = CoreErrorTracking.StackFrameModifierFn

export function createErrorPropertiesBuilder(
  modifiers: StackFrameModifier[] = []
): CoreErrorTracking.ErrorPropertiesBuilder {
  // Order matters: the first coercer whose `match` accepts the input wins.
  const coercers = [
    new CoreErrorTracking.EventCoercer(),
    new CoreErrorTracking.ErrorCoercer(),
    new CoreErrorTracking.ObjectCoercer(),
    new CoreErrorTracking.StringCoercer(),
    new CoreErrorTracking.PrimitiveCoercer(),
  ]
  const stackParser = CoreErrorTracking.createStackParser('node:javascript', CoreErrorTracking.nodeStackLineParser)
  return new CoreErrorTracking.ErrorPropertiesBuilder(coercers, stackParser, modifiers)
}
