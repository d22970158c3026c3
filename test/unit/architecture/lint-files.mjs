// Lints virtual files with the repository's eslint.config.mjs and prints, for each, the rules it breaks. Run in a
// child process: ESLint loads its config through import(), which jest's module sandbox does not offer.
//   node lint-files.mjs < [{ "filePath": "src/evaluation/x.ts", "code": "..." }]   →   [["no-restricted-imports"], []]
import { ESLint } from 'eslint'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const cwd = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const eslint = new ESLint({ cwd })
const files = JSON.parse(readFileSync(0, 'utf8'))
const results = []
for (const { filePath, code } of files) {
  const [result] = await eslint.lintText(code, { filePath: join(cwd, filePath) })
  results.push(result.messages.map((message) => message.ruleId ?? message.message))
}
process.stdout.write(JSON.stringify(results))
