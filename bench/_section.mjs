// Runs one benchmark section (bench/run.mjs starts it in a fresh process). A module that runs on import is done when
// its import is; a module that exports a `run...Bench()` function is run through it, and the markdown it returns is
// written to BENCH_README_FRAGMENT for the README.
import { writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

const module = await import(pathToFileURL(process.argv[2]).href)
const runner = Object.entries(module).find(([name, value]) => /^run\w*Bench$/.test(name) && typeof value === 'function')
if (runner) {
  const result = await runner[1]()
  const markdown = typeof result === 'string' ? result : result?.markdown
  if (typeof markdown === 'string' && process.env.BENCH_README_FRAGMENT) {
    writeFileSync(process.env.BENCH_README_FRAGMENT, `${markdown.trim()}\n`)
  }
}
