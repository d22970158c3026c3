// Builds CommonJS (.js) and ES module (.mjs) outputs for the three public entries.
// Shared code lands in chunks so that the node and experimental entries use one copy of each module; the chunks are
// named 'shared' because rollup would name them after an arbitrary module in them.
import { builtinModules } from 'node:module'
import esbuild from 'rollup-plugin-esbuild'

const input = {
  'entrypoints/index.node': 'src/entrypoints/index.node.ts',
  'entrypoints/index.edge': 'src/entrypoints/index.edge.ts',
  experimental: 'src/experimental/index.ts',
}

const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)])
// Runtime dependencies (@posthog/core, re2js) stay imports; ioredis and pg are never imported at runtime (type-only).
const external = (id) => builtins.has(id) || /^(@posthog\/core|re2js)(\/|$)/.test(id) || /^(ioredis|pg)(\/|$)/.test(id)

const plugins = [esbuild({ target: 'node20', tsconfig: 'tsconfig.build.json', sourceMap: true })]

export default [
  {
    input,
    external,
    plugins,
    output: [
      {
        dir: 'dist',
        format: 'cjs',
        entryFileNames: '[name].js',
        chunkFileNames: 'chunks/shared-[hash].js',
        sourcemap: true,
        exports: 'named',
        interop: 'auto',
      },
      {
        dir: 'dist',
        format: 'es',
        entryFileNames: '[name].mjs',
        chunkFileNames: 'chunks/shared-[hash].mjs',
        sourcemap: true,
      },
    ],
  },
]
