#!/usr/bin/env node
// npm run build: JavaScript with rollup, declarations with tsc, one rolled-up .d.ts per entry with api-extractor.
// --check-api: fail when the public API differs from the reviewed report under etc/ instead of updating it.
import { execFileSync } from 'node:child_process'
import { rmSync, existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const check = process.argv.includes('--check-api')
const bin = (name) => join(root, 'node_modules', '.bin', name)
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' })

rmSync(join(root, 'dist'), { recursive: true, force: true })
rmSync(join(root, 'build', 'types'), { recursive: true, force: true })
run(bin('tsc'), ['-p', 'tsconfig.build.json'])
run(bin('rollup'), ['-c', '--silent'])
for (const config of ['api-extractor.json', 'api-extractor.experimental.json']) {
  try {
    run(bin('api-extractor'), ['run', '--config', config, ...(check ? [] : ['--local'])])
  } catch {
    console.error(
      check
        ? `\nThe public API no longer matches its reviewed report under etc/ (${config}).\n` +
            'Run `npm run build`, review the diff of etc/*.api.md and commit it with the change.'
        : `\napi-extractor failed for ${config}.`
    )
    process.exit(1)
  }
}
if (!existsSync(join(root, 'dist', 'experimental.d.ts'))) {
  console.error('build: dist/experimental.d.ts is missing')
  process.exit(1)
}
