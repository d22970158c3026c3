#!/usr/bin/env node
// npm run build: declarations with tsc, JavaScript with rollup, one rolled-up .d.ts per entry with api-extractor,
// which also refreshes the API reports under etc/.
// --check-api (npm test): the same build, but fail when the public API differs from its reviewed report under etc/
// instead of updating the report.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runApiExtractor } from './api-report.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

const check = process.argv.includes('--check-api')
const bin = (name) => join(root, 'node_modules', '.bin', name)
const fail = (message) => {
  console.error(`\nbuild: ${message}`)
  process.exit(1)
}
const run = (cmd, args) => {
  try {
    execFileSync(cmd, args, { cwd: root, stdio: 'inherit' })
  } catch {
    fail(`\`${[cmd.replace(`${root}/`, ''), ...args].join(' ')}\` failed (its output is above).`)
  }
}

rmSync(join(root, 'dist'), { recursive: true, force: true })
rmSync(join(root, 'build', 'types'), { recursive: true, force: true })
run(bin('tsc'), ['-p', 'tsconfig.build.json'])
run(bin('rollup'), ['-c', '--silent'])

// The published declarations must not import @posthog/core: its index pulls in declarations that need the DOM lib,
// which breaks a Node user's build with `skipLibCheck: false`. So api-extractor inlines the core types we expose.
// Its `bundledPackages` cannot do that for core (TypeScript gives no package id to core's directory imports such as
// './utils', so api-extractor leaves them as broken relative imports, or crashes on `export * as ErrorTracking`).
// Instead core's declarations are copied out of node_modules and mapped in api-extractor's compiler options
// (`paths` in api-extractor.json), where they count as our own sources.
const coreTypes = join(root, 'build', 'bundled', 'posthog-core')
rmSync(coreTypes, { recursive: true, force: true })
cpSync(join(root, 'node_modules', '@posthog', 'core', 'dist'), coreTypes, {
  recursive: true,
  filter: (source) => !/\.(m?js|map)$/.test(source),
})

for (const file of ['api-extractor.json', 'api-extractor.experimental.json']) {
  const { report, changed, problems, diff, updated } = runApiExtractor(file, { check })
  if (updated) console.log(`build: updated ${report}: review its diff and commit it with the change`)
  for (const problem of problems) console.error(problem)
  if (changed) {
    console.error(`\n${report}: ${diff}`)
    fail(
      `the public API no longer matches its reviewed report ${report}.\n` +
        'If the change is intended, run `npm run build` and commit the updated report with the change.'
    )
  }
  if (problems.length > 0) fail(`api-extractor reported problems for ${file} (listed above).`)
}

// Guard the property the consumer tests rely on: rolled-up declarations import nothing but Node builtins.
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)])
for (const dts of ['dist/entrypoints/index.node.d.ts', 'dist/experimental.d.ts']) {
  if (!existsSync(join(root, dts))) fail(`${dts} is missing`)
  const text = readFileSync(join(root, dts), 'utf8')
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*['"]([^'"]+)['"]/gm),
    ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1])
  const foreign = specifiers.filter((s) => !builtins.has(s))
  if (foreign.length > 0)
    fail(`${dts} imports ${[...new Set(foreign)].join(', ')}; published declarations must be self-contained.`)
  if (/reference\s+lib=["']dom/i.test(text)) fail(`${dts} references the DOM lib.`)
}
if (!readdirSync(join(root, 'dist')).includes('experimental.mjs')) fail('dist/experimental.mjs is missing')
