// Comments, docs and test names state the rule they follow. A section number or a numbered finding of a document
// that is not in this repository (a section sign or the word "weakness" followed by a number) tells the next reader
// nothing, so none may appear.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

const root = join(__dirname, '..', '..', '..')
const skipped = new Set(['node_modules', 'dist', 'build', 'coverage', '.work', '.git', 'etc'])
const text = /\.(ts|mts|cts|js|mjs|cjs|md|json|sh|yml|yaml|txt)$|^run$/
const citation = /§\s?\d|\bweakness(es)?\s+\d|\bspec §/i

// Folders whose citations other branches are rewriting at the time of writing; empty this list once they merged.
function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (skipped.has(entry.name)) return []
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return files(path)
    return text.test(entry.name) && entry.name !== 'package-lock.json' ? [path] : []
  })
}

it('no file cites a section or numbered finding of a document outside the repository', () => {
  const found = files(root)
    .map((path) => relative(root, path))
    .flatMap((path) =>
      readFileSync(join(root, path), 'utf8')
        .split('\n')
        .flatMap((line, index) => (citation.test(line) ? [`${path}:${index + 1}: ${line.trim()}`] : []))
    )
  expect(found).toEqual([])
})
