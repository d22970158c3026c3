// `npm test` runs `node scripts/build.mjs --check-api`, which must fail when the public API changed without its
// reviewed report under etc/ being updated, and stay quiet otherwise. This runs the same api-extractor step
// (scripts/api-report.mjs) against copies of a report in a scratch folder: as committed, and with one line altered.
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { repoRoot, workRoot } from './helpers/packed-consumer'

// api-extractor takes seconds; a loaded machine makes that slow, not wrong.
jest.setTimeout(120_000)

interface Outcome {
  changed: boolean
  problems: string[]
  diff: string
}

const reportName = 'posthog-node-experimental.api.md'
const injected = 'export declare function notInTheRealApi(): void;'

function checkAgainst(folders: string[]): Outcome[] {
  const module = pathToFileURL(join(repoRoot, 'scripts', 'api-report.mjs')).href
  const script =
    `const { runApiExtractor } = await import(${JSON.stringify(module)});` +
    `const folders = ${JSON.stringify(folders)};` +
    `console.log(JSON.stringify(folders.map((reportFolder) => ` +
    `runApiExtractor('api-extractor.experimental.json', { check: true, reportFolder, rollup: false }))))`
  const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
  return JSON.parse(stdout) as Outcome[]
}

describe('API report check', () => {
  let unchanged: Outcome
  let altered: Outcome

  beforeAll(() => {
    if (!existsSync(join(repoRoot, 'build', 'types', 'experimental', 'index.d.ts'))) {
      throw new Error('build/types is missing: run `npm run build` first (npm test does).')
    }
    const asCommitted = join(workRoot, 'api-report', 'as-committed')
    const withChange = join(workRoot, 'api-report', 'altered')
    for (const folder of [asCommitted, withChange]) {
      rmSync(folder, { recursive: true, force: true })
      mkdirSync(folder, { recursive: true })
    }
    copyFileSync(join(repoRoot, 'etc', reportName), join(asCommitted, reportName))
    const report = readFileSync(join(repoRoot, 'etc', reportName), 'utf8')
    writeFileSync(
      join(withChange, reportName),
      report.replace(/^```ts\r?\n/m, (fence) => `${fence}${injected}\n`)
    )
    ;[unchanged, altered] = checkAgainst([asCommitted, withChange])
  })

  it('passes without a single warning when the API matches the committed report', () => {
    expect(unchanged).toMatchObject({ changed: false, problems: [] })
  })

  it('fails when the API differs from the report, and shows the difference', () => {
    expect(altered.changed).toBe(true)
    expect(altered.diff).toContain(`- ${injected}`)
  })
})
