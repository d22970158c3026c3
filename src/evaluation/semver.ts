// Version operators (`semver_*`): versions are `major.minor.patch` with optional `v` prefix, pre-release and build
// suffixes dropped, missing parts 0 and parts past the third ignored; a part with a leading zero is not a version.
import type { Version, VersionTarget } from './model'

const DIGITS = /^\d+$/

function versionPart(part: string | undefined): number | null {
  if (part === undefined || part === '') return 0
  return numericPart(part)
}

/** A numeric identifier: digits only, no leading zero. */
function numericPart(part: string): number | null {
  if (!DIGITS.test(part) || (part.length > 1 && part[0] === '0')) return null
  return parseInt(part, 10)
}

/** Parses a version; null when it is not one. */
export function parseVersion(value: string): Version | null {
  const text = value.trim().replace(/^[vV]/, '')
  const base = text.split('-')[0].split('+')[0]
  if (!base || base.startsWith('.')) return null
  const parts = base.split('.')
  const major = versionPart(parts[0])
  const minor = versionPart(parts[1])
  const patch = versionPart(parts[2])
  return major === null || minor === null || patch === null ? null : [major, minor, patch]
}

export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    if (a[i] < b[i]) return -1
    if (a[i] > b[i]) return 1
  }
  return 0
}

/** `1.2.*` or `1.*` (or `1`): the versions it covers. */
function wildcardRange(value: string): VersionTarget {
  const invalid: VersionTarget = { kind: 'invalid', reason: `Invalid wildcard semver: ${value}` }
  const text = value.trim().replace(/^[vV]/, '').replace(/\.\*$/, '').replace(/\*$/, '')
  if (!text) return invalid
  const parts = text.split('.')
  const major = numericPart(parts[0])
  if (major === null) return invalid
  if (parts.length === 1) return { kind: 'range', lower: [major, 0, 0], upper: [major + 1, 0, 0] }
  const minor = numericPart(parts[1])
  if (minor === null) return invalid
  return { kind: 'range', lower: [major, minor, 0], upper: [major, minor + 1, 0] }
}

/** The target of a version operator, worked out once. */
export function versionTarget(operator: string, value: string): VersionTarget {
  if (operator === 'semver_wildcard') return wildcardRange(value)
  const version = parseVersion(value)
  if (version === null) return { kind: 'invalid', reason: `Invalid semver: ${value}` }
  const [major, minor, patch] = version
  if (operator === 'semver_tilde') return { kind: 'range', lower: version, upper: [major, minor + 1, 0] }
  if (operator === 'semver_caret') {
    const upper: Version = major > 0 ? [major + 1, 0, 0] : minor > 0 ? [0, minor + 1, 0] : [0, 0, patch + 1]
    return { kind: 'range', lower: version, upper }
  }
  return { kind: 'version', version }
}
