// Every ```ts / ```typescript block of README.md compiles against the packed package, as a module of a strict
// nodenext project (top-level await allowed). A block preceded by a `<!-- no-compile -->` line is skipped.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createProject, strictNodeUser } from './helpers/consumer-project'
import { repoRoot } from './helpers/packed-consumer'
import { typescriptBlocks, type CodeBlock } from './helpers/readme-blocks'
import { compileProject, type CompileResult } from './helpers/typescript'

// The first file to run packs and installs the package; a loaded machine makes that slow, not wrong.
jest.setTimeout(120_000)

const readmePath = join(repoRoot, 'README.md')
const blocks = existsSync(readmePath) ? typescriptBlocks(readFileSync(readmePath, 'utf8')) : []
const fileOf = (block: CodeBlock) => `readme-line-${block.line}.ts`

describe('README.md TypeScript examples', () => {
  if (blocks.length === 0) {
    it(`nothing to compile: ${existsSync(readmePath) ? 'README.md has no ts blocks' : 'README.md does not exist yet'}`, () => {
      expect(blocks).toEqual([])
    })
    return
  }

  let compiled: CompileResult
  beforeAll(() => {
    const files = Object.fromEntries(blocks.map((block) => [fileOf(block), `${block.code}\nexport {}\n`]))
    const dir = createProject({
      name: 'readme',
      packageType: 'module',
      compilerOptions: { ...strictNodeUser, module: 'nodenext', skipLibCheck: true, noEmit: true },
      files,
    })
    compiled = compileProject(dir)
  })

  it.each(blocks)('the block at README.md line $line compiles', (block) => {
    const errors = compiled.diagnostics
      .filter((d) => d.file === fileOf(block) || d.file === '')
      .map((d) => `README.md:${block.line + d.line - 1} TS${d.code}: ${d.message}`)
    expect(errors).toEqual([])
  })
})
