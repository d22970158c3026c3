// `npm run bench`: runs every section bench/*.mjs (this file and names starting with "_" excepted) in name order,
// each in a fresh Node process with --expose-gc so that memory numbers of one section do not leak into the next.
// Run one section: `node bench/run.mjs evaluation`.
//
// The README's benchmark figures are written here, never by hand: each section's markdown goes between
// `<!-- bench:<section>:start -->` and `<!-- bench:<section>:end -->` in README.md. A section supplies it by writing
// the file named in BENCH_README_FRAGMENT, or by exporting a `run...Bench()` function that returns it (a string, or
// `{ markdown }`); a section that does neither has its printed output quoted as text.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const readmePath = join(here, '..', 'README.md')
const only = process.argv.slice(2)
const sections = readdirSync(here)
  .filter((name) => name.endsWith('.mjs') && name !== 'run.mjs' && !name.startsWith('_'))
  .filter((name) => only.length === 0 || only.includes(name.replace(/\.mjs$/, '')))
  .sort()

const scratch = mkdtempSync(join(tmpdir(), 'posthog-bench-'))
let failed = 0
const fragments = new Map()
for (const name of sections) {
  const section = name.replace(/\.mjs$/, '')
  console.log(`\n=== ${section} ===`)
  const fragmentPath = join(scratch, `${section}.md`)
  const { status, output } = await runSection(name, fragmentPath)
  if (status !== 0) {
    failed++
    console.error(`section ${name} failed (exit ${status})`)
    continue
  }
  const markdown = existsSync(fragmentPath) ? readFileSync(fragmentPath, 'utf8').trim() : quoted(output)
  if (markdown) fragments.set(section, markdown)
}
rmSync(scratch, { recursive: true, force: true })
await writeReadme(fragments)
process.exit(failed > 0 ? 1 : 0)

/** Runs one section in its own process (through _section.mjs), echoing and keeping what it prints. */
function runSection(name, fragmentPath) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', join(here, '_section.mjs'), join(here, name)], {
      env: { ...process.env, BENCH_README_FRAGMENT: fragmentPath },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk)
      output += chunk
    })
    child.on('close', (code, signal) => resolve({ status: code ?? signal, output }))
  })
}

function quoted(output) {
  const text = output.trim()
  return text ? `\`\`\`text\n${text}\n\`\`\`` : ''
}

/** Replaces what is between each section's markers; sections without markers in the README are left out. */
async function writeReadme(byName) {
  let readme = readFileSync(readmePath, 'utf8')
  for (const [section, markdown] of byName) {
    const start = `<!-- bench:${section}:start -->`
    const end = `<!-- bench:${section}:end -->`
    const from = readme.indexOf(start)
    const to = readme.indexOf(end)
    if (from < 0 || to < from) {
      console.log(`README.md has no ${start} ... ${end} markers; its ${section} figures were not written`)
      continue
    }
    readme = `${readme.slice(0, from + start.length)}\n\n${markdown}\n\n${readme.slice(to)}`
    console.log(`README.md: ${section} figures written`)
  }
  // The tables come out unpadded; the README is kept in prettier's layout like every other file.
  const prettier = await import('prettier')
  const options = (await prettier.resolveConfig(readmePath)) ?? {}
  writeFileSync(readmePath, await prettier.format(readme, { ...options, filepath: readmePath }))
}
