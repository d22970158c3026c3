// `npm run bench`: runs every section bench/*.mjs (this file and names starting with "_" excepted) in name order,
// each in a fresh Node process with --expose-gc so that memory numbers of one section do not leak into the next.
// Run one section: `node bench/run.mjs evaluation`.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const only = process.argv.slice(2)
const sections = readdirSync(here)
  .filter((name) => name.endsWith('.mjs') && name !== 'run.mjs' && !name.startsWith('_'))
  .filter((name) => only.length === 0 || only.includes(name.replace(/\.mjs$/, '')))
  .sort()

let failed = 0
for (const name of sections) {
  console.log(`\n=== ${name.replace(/\.mjs$/, '')} ===`)
  const result = spawnSync(process.execPath, ['--expose-gc', join(here, name)], { stdio: 'inherit' })
  if (result.status !== 0) {
    failed++
    console.error(`section ${name} failed (exit ${result.status ?? result.signal})`)
  }
}
process.exit(failed > 0 ? 1 : 0)
