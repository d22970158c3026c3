// The real posthog-node 5.13.2, used only as a test oracle. Its static ErrorTracking class and its frame modifiers
// are not exported from the package entry, so they are reached through its dist files (CommonJS, so `require`);
// loading the entry first installs upstream's properties builder.
/* eslint-disable @typescript-eslint/no-require-imports */
import { dirname, join } from 'node:path'
import { type ErrorTracking as CoreErrorTracking } from '@posthog/core'
import { type EventHint } from '../../../src/error-tracking'

type BuildEventMessage = (
  error: unknown,
  hint: EventHint,
  distinctId?: string,
  additionalProperties?: Record<string | number, unknown>
) => Promise<{ event: string; distinctId: string; properties: Record<string, unknown> }>

const distDir = join(dirname(require.resolve('posthog-node-upstream')), '..')

export function upstreamBuildEventMessage(): BuildEventMessage {
  require('posthog-node-upstream')
  const upstreamErrorTracking = require(join(distDir, 'extensions/error-tracking/index.js')).default
  return (...args) => upstreamErrorTracking.buildEventMessage(...args)
}

export function upstreamAddSourceContext(): CoreErrorTracking.StackFrameModifierFn {
  return require(join(distDir, 'extensions/error-tracking/modifiers/context-lines.node.js')).addSourceContext
}
