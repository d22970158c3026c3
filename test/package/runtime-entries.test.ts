// The packed package loaded by node itself: both entries through require() and import(), under the export
// conditions of the runtimes the exports map serves. Upstream 5.13.2 failed every experimental load here with
// ERR_PACKAGE_PATH_NOT_EXPORTED.
import { join } from 'node:path'
import { createProject, runNode } from './helpers/consumer-project'
import { declaredValueExports } from './helpers/declared-exports'
import { packedConsumer, upstreamConsumer } from './helpers/packed-consumer'

// The first file to run packs and installs the package; a loaded machine makes that slow, not wrong.
jest.setTimeout(120_000)

interface Loaded {
  main: { file: string; exports: string[]; libraryId: string }
  experimental: { file: string; exports: string[] }
}

let dir: string
beforeAll(() => {
  dir = createProject({
    name: 'runtime',
    packageType: 'module',
    compilerOptions: {},
    files: ['runtime/load-entries.mjs', 'runtime/edge-app.mjs'],
  })
})

async function load(conditions: string[]): Promise<Record<'require' | 'import', Loaded>> {
  const result = await runNode(dir, [...conditions.map((c) => `--conditions=${c}`), 'load-entries.mjs'])
  expect(result.stderr).toBe('')
  return JSON.parse(result.stdout) as Record<'require' | 'import', Loaded>
}

// Under node the `node` condition always applies and precedes `edge-light` and `workerd` (as upstream orders them);
// only `edge`, listed before `node`, switches node itself to the edge build.
describe.each([
  { conditions: [], build: 'node' },
  { conditions: ['edge'], build: 'edge' },
  { conditions: ['workerd'], build: 'node' },
  { conditions: ['edge-light'], build: 'node' },
])('node with conditions $conditions', ({ conditions, build }) => {
  let loaded: Record<'require' | 'import', Loaded>
  beforeAll(async () => {
    loaded = await load(conditions)
  })

  it(`gives the ${build} build of the main entry, with a constructible PostHog, to require and import`, () => {
    expect(loaded.require.main).toMatchObject({
      file: `dist/entrypoints/index.${build}.js`,
      libraryId: `posthog-${build}`,
    })
    expect(loaded.import.main).toMatchObject({
      file: `dist/entrypoints/index.${build}.mjs`,
      libraryId: `posthog-${build}`,
    })
  })

  it('loads posthog-node/experimental with require and import', () => {
    expect(loaded.require.experimental.file).toBe('dist/experimental.js')
    expect(loaded.import.experimental.file).toBe('dist/experimental.mjs')
  })

  it('exports exactly the runtime values the declarations promise, the same through require and import', () => {
    const { packageDir } = packedConsumer()
    const mainValues = declaredValueExports(join(packageDir, 'dist', 'entrypoints', 'index.node.d.ts'))
    const experimentalValues = declaredValueExports(join(packageDir, 'dist', 'experimental.d.ts'))
    expect(mainValues).toContain('PostHog')
    for (const loader of ['require', 'import'] as const) {
      expect({ loader, exports: loaded[loader].main.exports }).toEqual({ loader, exports: mainValues })
      expect({ loader, exports: loaded[loader].experimental.exports }).toEqual({ loader, exports: experimentalValues })
    }
  })
})

describe('control: upstream posthog-node 5.13.2 in the same setup', () => {
  it.each([
    ['require', "require('posthog-node/experimental')"],
    ['import', "await import('posthog-node/experimental')"],
  ])('cannot %s posthog-node/experimental (ERR_PACKAGE_PATH_NOT_EXPORTED)', async (loader, code) => {
    const upstreamDir = createProject({
      name: `runtime-control-${loader}`,
      packageType: 'module',
      compilerOptions: {},
      files: {
        'load.mjs': `import { createRequire } from 'node:module'\nconst require = createRequire(import.meta.url)\n${code}\n`,
      },
      consumer: upstreamConsumer(),
    })
    const result = await runNode(upstreamDir, ['load.mjs'])
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED')
  })
})
