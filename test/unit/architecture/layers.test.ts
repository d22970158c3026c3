// The layer table of src/ARCHITECTURE.md is enforced by `npm run lint`: every import between two folders of src/
// that the table does not allow is an eslint error, and every one it allows is not.
import { execFileSync, spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(__dirname, '..', '..', '..')

/** Folder → the folders its row allows (`undefined`: everything), read from the markdown table. */
function tableOfArchitecture(): Map<string, string[] | undefined> {
  const text = readFileSync(join(root, 'src', 'ARCHITECTURE.md'), 'utf8')
  const table = new Map<string, string[] | undefined>()
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim())
    const folder = /^`([a-z-]+)\/`$/.exec(cells[1] ?? '')?.[1]
    if (!folder || cells.length < 4) continue
    const mayImport = cells[3]!
    table.set(
      folder,
      mayImport === 'everything'
        ? undefined
        : [...mayImport.matchAll(/`([a-z-]+)\/`/g)].map((match) => match[1]!).filter((name) => name !== 'src')
    )
  }
  return table
}

function lint(files: { filePath: string; code: string }[]): string[][] {
  const output = execFileSync(process.execPath, [join(__dirname, 'lint-files.mjs')], {
    cwd: root,
    input: JSON.stringify(files),
    encoding: 'utf8',
  })
  return JSON.parse(output) as string[][]
}

const table = tableOfArchitecture()
const folders = [...table.keys()]

it('has a row for every folder of src/', () => {
  const present = readdirSync(join(root, 'src'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
  expect(present.filter((name) => !table.has(name))).toEqual([])
  expect(folders).toEqual(expect.arrayContaining(['contracts', 'shared', 'evaluation', 'client', 'entrypoints']))
})

it('fails lint on exactly the imports between folders that the table does not allow, at any depth', () => {
  const cases = folders.flatMap((from) =>
    folders.flatMap((to) =>
      ['', 'nested/'].map((sub) => ({
        from,
        to,
        allowed: from === to || table.get(from) === undefined || table.get(from)!.includes(to),
        filePath: `src/${from}/${sub}layer-check.ts`,
        code: `export type { Example } from '${sub ? '../../' : '../'}${to}/example'\n`,
      }))
    )
  )
  const results = lint(cases)
  const disagreements = cases
    .map((item, index) => ({ ...item, errors: results[index]! }))
    .filter((item) => item.errors.includes('no-restricted-imports') === item.allowed)
    .map((item) => `${item.filePath} → ${item.to}/: table ${item.allowed ? 'allows' : 'forbids'}, lint disagrees`)
  expect(disagreements).toEqual([])
  // The table's own examples: polling prepares definitions with evaluation/, evaluation must not reach the client.
  expect(table.get('polling')).toContain('evaluation')
  expect(table.get('evaluation')).not.toContain('client')
})

it('names the table and the allowed folders in the error, and lets imports inside a folder through', () => {
  const [wrong, inside, outOfSrc] = lint([
    {
      filePath: 'src/evaluation/layer-check.ts',
      code: `import { PostHog } from '../client/client'\nexport { PostHog }\n`,
    },
    { filePath: 'src/evaluation/layer-check.ts', code: `export { evaluateFlag } from './evaluate'\n` },
    { filePath: 'src/contracts/layer-check.ts', code: `export type { Anything } from '../../test/helpers/services'\n` },
  ])
  expect(wrong).toEqual(['no-restricted-imports'])
  expect(inside).toEqual([])
  expect(outOfSrc).toEqual(['no-restricted-imports'])
  // The command line, as `npm run lint` runs it: a non-zero exit and a message that says what to do.
  const cli = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--stdin', '--stdin-filename', 'src/evaluation/x.ts'],
    { cwd: root, input: `import { PostHog } from '../client/client'\nexport { PostHog }\n`, encoding: 'utf8' }
  )
  expect(cli.status).toBe(1)
  expect(cli.stdout).toContain('src/evaluation/ may import only definitions/, contracts/, shared/ of src/')
  expect(cli.stdout).toContain('src/ARCHITECTURE.md')
})
