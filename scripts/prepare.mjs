#!/usr/bin/env node
// npm's `prepare` hook: builds dist/ when it is missing, so that installing this package from a git URL (which
// ships no dist/) gives a working package. In a checkout that already has dist/, it does nothing.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
if (!existsSync(join(root, 'dist', 'experimental.d.ts'))) {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' })
}
