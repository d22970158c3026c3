// A Node user's strict build (skipLibCheck off, lib es2022 without DOM, types node) must accept the published
// declarations, under both resolution families. Upstream 5.13.2 fails this: the @posthog/core types it re-exports
// need DOM types (ErrorEvent, PromiseRejectionEvent), and node10 cannot find posthog-node/experimental at all.
import { createProject, strictNodeUser } from './helpers/consumer-project'
import { upstreamConsumer } from './helpers/packed-consumer'
import { compileProject, type Diagnostic } from './helpers/typescript'

// The first file to run packs and installs the package; a loaded machine makes that slow, not wrong.
jest.setTimeout(120_000)

const setups = [
  { name: 'node10', packageType: 'commonjs' as const, options: { module: 'commonjs', moduleResolution: 'node10' } },
  { name: 'nodenext', packageType: 'module' as const, options: { module: 'nodenext' } },
  // ES private fields (`#x`) in a declaration file are TS18028 below es2015: the published classes must not have them.
  {
    name: 'node10, target es5',
    packageType: 'commonjs' as const,
    options: { module: 'commonjs', moduleResolution: 'node10', target: 'es5' },
  },
]

function strictBuild(name: string, setup: (typeof setups)[number], consumer?: ReturnType<typeof upstreamConsumer>) {
  const dir = createProject({
    name: `declarations-${name}-${setup.name.replace(/\W+/g, '-')}`,
    packageType: setup.packageType,
    compilerOptions: { ...strictNodeUser, ...setup.options, noEmit: true },
    files: ['declarations/uses-everything.ts'],
    ...(consumer ? { consumer } : {}),
  })
  return compileProject(dir)
}

const codes = (diagnostics: Diagnostic[]) => [...new Set(diagnostics.map((d) => d.code))].sort()

describe.each(setups)('published declarations, strict Node build, $name', (setup) => {
  it('compile without a single error with skipLibCheck off and no DOM lib', () => {
    expect(strictBuild('packed', setup).text).toBe('')
  })
})

describe('control: the same builds against upstream posthog-node 5.13.2', () => {
  it('fail under node10: posthog-node/experimental is not found (TS2307) and core needs DOM types (TS2304)', () => {
    expect(codes(strictBuild('upstream', setups[0]!, upstreamConsumer()).diagnostics)).toEqual([2304, 2307, 2552])
  })

  it('fail under nodenext: the @posthog/core types upstream exposes need DOM types', () => {
    const { diagnostics } = strictBuild('upstream', setups[1]!, upstreamConsumer())
    expect(diagnostics.map((d) => d.message)).toContain("Cannot find name 'ErrorEvent'.")
  })
})
