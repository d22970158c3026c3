// The installed tarball: what it ships and what its package.json points at.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { packedConsumer } from './helpers/packed-consumer'

// The first file to run packs and installs the package; a loaded machine makes that slow, not wrong.
jest.setTimeout(120_000)

interface Manifest {
  main: string
  module: string
  types: string
  exports: unknown
  typesVersions: Record<string, Record<string, string[]>>
  dependencies: Record<string, string>
  scripts?: Record<string, string>
}

let packageDir: string
let tarball: string
let manifest: Manifest
beforeAll(() => {
  ;({ packageDir, tarball } = packedConsumer())
  manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as Manifest
})

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : [relative(packageDir, join(dir, entry.name))]
  )
}

/** Every file path in an exports map, whatever the nesting of conditions. */
function targets(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (value && typeof value === 'object') return Object.values(value).flatMap(targets)
  return []
}

it('ships the build, the docs and package.json only', () => {
  const unexpected = files(packageDir).filter(
    (file) => !file.startsWith('dist/') && !['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE'].includes(file)
  )
  expect(unexpected).toEqual([])
})

it('points main, module, types, every exports target and typesVersions at files in the tarball', () => {
  const referenced = [
    manifest.main,
    manifest.module,
    manifest.types,
    ...targets(manifest.exports),
    ...Object.values(manifest.typesVersions).flatMap((map) => Object.values(map).flat()),
  ]
  expect(referenced.length).toBeGreaterThan(10)
  expect(referenced.filter((path) => !existsSync(join(packageDir, path)))).toEqual([])
})

it('depends on exactly the @posthog/core version upstream 5.13.2 pins and the pinned re2js, nothing else', () => {
  // re2js (no dependencies of its own) is the linear-time engine for regex conditions; pinned so that its
  // behaviour, which the regex specs compare with JavaScript's, cannot change under an install.
  expect(manifest.dependencies).toEqual({ '@posthog/core': '1.5.5', re2js: '2.10.0' })
})

it('declares no script that runs on install: the tarball holds dist/ and not the scripts/ folder', () => {
  const lifecycle = ['preinstall', 'install', 'postinstall', 'prepare', 'prepack', 'postpack']
  expect(Object.keys(manifest.scripts ?? {}).filter((name) => lifecycle.includes(name))).toEqual([])
})

it('installs without a single npm warning', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posthog-node-install-'))
  try {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'install-check', private: true, version: '0.0.0' }))
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
    // With install scripts enabled, as a user installs; @posthog/core is in the npm cache after `npm ci`.
    const install = (mode: string) =>
      spawnSync(npm, ['install', mode, '--no-audit', '--no-fund', tarball], { cwd: dir, encoding: 'utf8' })
    let result = install('--offline')
    if (result.status !== 0) result = install('--prefer-offline')
    expect(result.status).toBe(0)
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/warn/i)
    expect(existsSync(join(dir, 'node_modules', 'posthog-node', 'dist', 'experimental.js'))).toBe(true)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
