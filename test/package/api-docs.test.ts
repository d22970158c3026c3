// The reviewed API reports under etc/ mark every public declaration without a doc comment `(undocumented)`. Every
// declaration this package makes is documented; only types re-declared from @posthog/core stay as core has them.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(__dirname, '..', '..')
const declaration =
  /^(?:export )?(?:declare )?(?:abstract )?(?:interface|type|class|enum|function|const|namespace) (\w+)/

/** The names of the declarations (or of the declarations owning the members) the report marks undocumented. */
function undocumented(report: string): Set<string> {
  const lines = readFileSync(join(root, 'etc', report), 'utf8').split('\n')
  const names = new Set<string>()
  let current: string | undefined
  lines.forEach((line, index) => {
    current = declaration.exec(line)?.[1] ?? current
    if (!line.includes('(undocumented)')) return
    // `// @public (undocumented)` precedes its declaration; a member's marker sits inside its owner.
    const owner = line.startsWith('// @') ? declaration.exec(lines[index + 1] ?? '')?.[1] : current
    names.add(owner ?? `line ${index + 1}`)
  })
  return names
}

function coreDeclarations(): Set<string> {
  const dist = join(root, 'node_modules', '@posthog', 'core', 'dist')
  const names = new Set<string>()
  for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.d.ts'))) {
    for (const match of readFileSync(join(dist, file), 'utf8').matchAll(
      /(?:interface|type|class|enum|function|const) (\w+)/g
    )) {
      names.add(match[1]!)
    }
  }
  return names
}

it('documents every declaration of the main entry that this package makes', () => {
  const core = coreDeclarations()
  const missing = [...undocumented('posthog-node.api.md')].filter((name) => !core.has(name))
  expect(missing).toEqual([])
})
