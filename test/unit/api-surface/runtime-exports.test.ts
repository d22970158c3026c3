// Our entries export at least every runtime name upstream 5.13.2 exports, and our PostHog class has every public
// method and property upstream's has.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import * as oursEdge from '../../../src/entrypoints/index.edge'
import * as oursNode from '../../../src/entrypoints/index.node'

const upstreamEntries = join(dirname(require.resolve('posthog-node-upstream')))
// eslint-disable-next-line @typescript-eslint/no-require-imports
const upstreamNode = require(join(upstreamEntries, 'index.node.js'))
// eslint-disable-next-line @typescript-eslint/no-require-imports
const upstreamEdge = require(join(upstreamEntries, 'index.edge.js'))

const UPSTREAM_NAMES = [
  'PostHog',
  'PostHogSentryIntegration',
  'createEventProcessor',
  'sentryIntegration',
  'setupExpressErrorHandler',
]

/** Members upstream declares `private` (in its client and core's): not part of the API users can reach in TS. */
const UPSTREAM_PRIVATE = new Set(
  ['client.d.ts', '../../@posthog/core/dist/posthog-core-stateless.d.ts'].flatMap((file) =>
    [...readFileSync(join(upstreamEntries, '..', file), 'utf8').matchAll(/^\s*private (?:readonly )?(\w+)/gm)].map(
      (match) => match[1]
    )
  )
)

function runtimeNames(module: object): string[] {
  return Object.keys(module)
    .filter((name) => name !== '__esModule' && name !== 'default')
    .sort()
}

/** Every member name reachable on instances: own properties of a constructed client plus the prototype chain. */
function memberNames(Client: new (apiKey: string, options?: object) => object): string[] {
  const names = new Set<string>()
  const instance = new Client('TEST_API_KEY', { flushInterval: 0 })
  for (const name of Object.keys(instance)) names.add(name)
  for (
    let proto = Object.getPrototypeOf(instance);
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const name of Object.getOwnPropertyNames(proto)) names.add(name)
  }
  void (instance as { shutdown(ms: number): Promise<void> }).shutdown(10)
  return [...names].filter((name) => name !== 'constructor').sort()
}

describe('runtime exports', () => {
  test('upstream exports exactly the names we mirror (guards the list below)', () => {
    expect(runtimeNames(upstreamNode)).toEqual([...UPSTREAM_NAMES].sort())
    expect(runtimeNames(upstreamEdge)).toEqual([...UPSTREAM_NAMES].sort())
  })

  test('the node entry exports every upstream name with the same kind', () => {
    for (const name of UPSTREAM_NAMES) {
      expect(typeof (oursNode as Record<string, unknown>)[name]).toBe(typeof upstreamNode[name])
    }
    expect(runtimeNames(oursNode)).toEqual(expect.arrayContaining(runtimeNames(upstreamNode)))
  })

  test('the edge entry exports every upstream name with the same kind', () => {
    for (const name of UPSTREAM_NAMES) {
      expect(typeof (oursEdge as Record<string, unknown>)[name]).toBe(typeof upstreamEdge[name])
    }
    expect(runtimeNames(oursEdge)).toEqual(expect.arrayContaining(runtimeNames(upstreamEdge)))
  })

  test('our PostHog instances have every non-private member upstream instances have', () => {
    const ours = memberNames(oursNode.PostHog)
    const missing = memberNames(upstreamNode.PostHog).filter((name) => !ours.includes(name))
    expect(missing.filter((name) => !UPSTREAM_PRIVATE.has(name))).toEqual([])
  })

  test('the Sentry integration class has the same static tag and name', () => {
    expect(oursNode.PostHogSentryIntegration.POSTHOG_ID_TAG).toBe(upstreamNode.PostHogSentryIntegration.POSTHOG_ID_TAG)
  })
})
