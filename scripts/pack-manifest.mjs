#!/usr/bin/env node
// npm's `prepack` / `postpack` hooks. `prepare` builds dist/ for installs from a git URL, which ship no dist/; a
// tarball already holds dist/ and not the scripts/ folder `prepare` runs, and npm warns on installing a package that
// declares an install-time script. So the packed package.json goes without `prepare` (and without these two hooks,
// which a tarball cannot run either; npm read them before packing):
//   node scripts/pack-manifest.mjs strip     (prepack)  saves package.json aside, writes it without those scripts
//   node scripts/pack-manifest.mjs restore   (postpack) puts the saved package.json back
// A pack that failed between the two leaves the saved copy behind; the next `strip` restores it first.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const manifest = join(root, 'package.json')
const saved = join(root, 'package.json.unpacked')

function restore() {
  if (existsSync(saved)) renameSync(saved, manifest)
}

const command = process.argv[2]
if (command === 'strip') {
  restore()
  const text = readFileSync(manifest, 'utf8')
  const pkg = JSON.parse(text)
  writeFileSync(saved, text)
  for (const name of ['prepare', 'prepack', 'postpack']) delete pkg.scripts[name]
  // Written aside and renamed, so a reader of package.json during the pack never sees half a file.
  writeFileSync(`${manifest}.tmp`, `${JSON.stringify(pkg, null, 2)}\n`)
  renameSync(`${manifest}.tmp`, manifest)
} else if (command === 'restore') {
  restore()
} else {
  console.error('usage: node scripts/pack-manifest.mjs strip|restore')
  process.exit(2)
}
