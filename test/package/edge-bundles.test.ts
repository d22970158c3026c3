// Edge runtimes get `posthog-node` through a bundler that sets their export condition and not `node`
// (Vercel/Next edge: `edge-light`, Cloudflare: `workerd`). esbuild with platform "neutral" plays that bundler.
import { build } from 'esbuild'
import { writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { createProject, runNode } from './helpers/consumer-project'
import { packedConsumer } from './helpers/packed-consumer'

// The first file to run packs and installs the package; a loaded machine makes that slow, not wrong.
jest.setTimeout(120_000)

let dir: string
beforeAll(() => {
  dir = createProject({
    name: 'edge-bundles',
    packageType: 'module',
    compilerOptions: {},
    files: ['runtime/edge-app.mjs'],
  })
})

describe.each(['edge-light', 'workerd', 'edge'])('a bundle for condition %s', (condition) => {
  let bundle: string
  let inputs: string[]
  beforeAll(async () => {
    const result = await build({
      entryPoints: [join(dir, 'edge-app.mjs')],
      bundle: true,
      platform: 'neutral',
      format: 'esm',
      target: 'es2022',
      conditions: [condition],
      write: false,
      metafile: true,
      logLevel: 'silent',
    })
    const { packageDir } = packedConsumer()
    inputs = Object.keys(result.metafile.inputs)
      .map((input) => relative(packageDir, join(process.cwd(), input)))
      .filter((input) => !input.startsWith('..'))
    bundle = join(dir, `bundle-${condition}.mjs`)
    writeFileSync(bundle, result.outputFiles[0]!.text)
  })

  it('takes the edge build of the main entry and no node build', () => {
    expect(inputs).toContain('dist/entrypoints/index.edge.mjs')
    expect(inputs.filter((input) => input.includes('index.node'))).toEqual([])
  })

  it('needs no Node.js builtins', async () => {
    const result = await build({
      entryPoints: [join(dir, 'edge-app.mjs')],
      bundle: true,
      platform: 'neutral',
      conditions: [condition],
      write: false,
      metafile: true,
      logLevel: 'silent',
      external: ['node:*'],
    })
    const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports.map((i) => i.path))
    expect(imports).toEqual([])
  })

  it('runs: PostHog constructs as posthog-edge and shuts down', async () => {
    const result = await runNode(dir, [bundle])
    expect(result.stderr).toBe('')
    expect(JSON.parse(result.stdout)).toEqual({ libraryId: 'posthog-edge' })
  })
})
