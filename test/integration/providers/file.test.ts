import {
  chmodSync,
  type PathLike,
  promises as fsPromises,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FileFlagDefinitionCache } from '../../../src/experimental'
import { defaultCacheDirectory } from '../../../src/experimental/providers/file-safety'
import { failFastContract, providerContract } from './contract'
import { RecordingLogger, sampleDefinitions, sleep, uniqueName } from './fixtures'

describe('FileFlagDefinitionCache', () => {
  const root = mkdtempSync(join(tmpdir(), 'posthog-file-provider-test-'))
  const directory = join(root, 'cache')
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  const entryPath = (key: string) => new FileFlagDefinitionCache({ key, directory }).entryPath

  describe('contract', () => {
    providerContract(() => ({
      make: (options) => new FileFlagDefinitionCache({ directory, ...options }),
      writeRawEntry: async (key, payload) => {
        mkdirSync(directory, { recursive: true, mode: 0o700 })
        writeFileSync(entryPath(key), `${Date.now()}\n${payload}`, { mode: 0o600 })
      },
    }))
  })

  it('creates its directory with mode 0700 and its files with mode 0600', async () => {
    const dir = join(root, uniqueName('modes'))
    const provider = new FileFlagDefinitionCache({ key: 'k', directory: dir })
    expect(await provider.shouldFetchFlagDefinitions()).toBe(true)
    expect(statSync(provider.leasePath).mode & 0o777).toBe(0o600)
    await provider.onFlagDefinitionsReceived(sampleDefinitions())
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    expect(statSync(provider.entryPath).mode & 0o777).toBe(0o600)
    expect(existsSync(provider.leasePath)).toBe(false)
    expect(readFileSync(provider.entryPath, 'utf8')).toMatch(/^\d+\nphfd\/2 json -\n\{"flags"/)
  })

  it('defaults to a per-user directory under the OS temp directory', () => {
    const provider = new FileFlagDefinitionCache({ key: 'k' })
    expect(provider.directory).toBe(defaultCacheDirectory())
    expect(provider.directory.startsWith(tmpdir())).toBe(true)
    expect(provider.directory).toContain(String(process.getuid?.() ?? ''))
  })

  it('names files after a hash of the key, never the key itself', () => {
    const provider = new FileFlagDefinitionCache({ key: 'phc_secretish/../../etc', directory })
    expect(provider.entryPath.startsWith(directory)).toBe(true)
    expect(provider.entryPath).not.toContain('phc_')
  })

  describe('refuses what it does not own', () => {
    it('a directory that is a symlink', async () => {
      const real = join(root, uniqueName('real'))
      mkdirSync(real, { mode: 0o700 })
      const link = join(root, uniqueName('link'))
      symlinkSync(real, link)
      const logger = new RecordingLogger()
      const provider = new FileFlagDefinitionCache({ key: 'k', directory: link, logger })
      expect(await provider.shouldFetchFlagDefinitions()).toBe(true) // falls back to fetching itself
      await provider.onFlagDefinitionsReceived(sampleDefinitions())
      expect(await provider.getFlagDefinitions()).toBeUndefined()
      expect(logger.warnings.join('\n')).toMatch(/symbolic link/)
      expect(existsSync(join(real, 'anything'))).toBe(false)
      expect(readdirSync(real)).toEqual([])
    })

    it('a directory writable by others', async () => {
      const open = join(root, uniqueName('open'))
      mkdirSync(open)
      chmodSync(open, 0o777)
      const logger = new RecordingLogger()
      const provider = new FileFlagDefinitionCache({ key: 'k', directory: open, logger })
      await provider.onFlagDefinitionsReceived(sampleDefinitions())
      expect(readdirSync(open)).toEqual([])
      expect(logger.warnings.join('\n')).toMatch(/writable by group or others/)
    })

    const asRoot = process.getuid?.() === 0 ? it : it.skip
    asRoot('a directory that belongs to another user', async () => {
      const foreign = join(root, uniqueName('foreign'))
      mkdirSync(foreign, { mode: 0o700 })
      chownSync(foreign, 65534, 65534)
      const logger = new RecordingLogger()
      const provider = new FileFlagDefinitionCache({ key: 'k', directory: foreign, logger })
      expect(await provider.shouldFetchFlagDefinitions()).toBe(true)
      expect(logger.warnings.join('\n')).toMatch(/belongs to uid 65534/)
    })

    asRoot('an entry file that belongs to another user', async () => {
      const dir = join(root, uniqueName('foreign-file'))
      const writer = new FileFlagDefinitionCache({ key: 'k', directory: dir })
      await writer.onFlagDefinitionsReceived(sampleDefinitions())
      chownSync(writer.entryPath, 65534, 65534)
      const logger = new RecordingLogger()
      expect(
        await new FileFlagDefinitionCache({ key: 'k', directory: dir, logger }).getFlagDefinitions()
      ).toBeUndefined()
      expect(logger.warnings.join('\n')).toMatch(/belongs to uid 65534/)
    })

    it('an entry file that is a symlink (it never reads through it)', async () => {
      const dir = join(root, uniqueName('entry-link'))
      const provider = new FileFlagDefinitionCache({ key: 'k', directory: dir })
      await provider.onFlagDefinitionsReceived(sampleDefinitions())
      const elsewhere = join(root, uniqueName('elsewhere.json'))
      writeFileSync(elsewhere, readFileSync(provider.entryPath), { mode: 0o600 })
      rmSync(provider.entryPath)
      symlinkSync(elsewhere, provider.entryPath)
      const logger = new RecordingLogger()
      expect(
        await new FileFlagDefinitionCache({ key: 'k', directory: dir, logger }).getFlagDefinitions()
      ).toBeUndefined()
      expect(logger.warnings.join('\n')).toMatch(/symbolic link/)
    })

    it('replaces a symlinked entry file on write instead of writing through it', async () => {
      const dir = join(root, uniqueName('write-link'))
      const provider = new FileFlagDefinitionCache({ key: 'k', directory: dir })
      await provider.onFlagDefinitionsReceived(sampleDefinitions('a'))
      const victim = join(root, uniqueName('victim'))
      writeFileSync(victim, 'untouched')
      rmSync(provider.entryPath)
      symlinkSync(victim, provider.entryPath)
      await provider.onFlagDefinitionsReceived(sampleDefinitions('b'))
      expect(readFileSync(victim, 'utf8')).toBe('untouched')
      expect(await provider.getFlagDefinitions()).toEqual(sampleDefinitions('b'))
    })
  })

  it('recovers a stale lease left with unreadable content by a crashed process', async () => {
    const dir = join(root, uniqueName('garbage-lease'))
    const provider = new FileFlagDefinitionCache({ key: 'k', directory: dir, leaseMs: 100 })
    mkdirSync(dir, { mode: 0o700 })
    writeFileSync(provider.leasePath, '', { mode: 0o600 }) // created, never written: looks held until leaseMs after its mtime
    expect(await provider.shouldFetchFlagDefinitions()).toBe(false)
    await sleep(200)
    expect(await provider.shouldFetchFlagDefinitions()).toBe(true)
  })

  it('gives a stale lease to one process only, even when two recover it and a third arrives as it is removed', async () => {
    const dir = join(root, uniqueName('recovery-race'))
    mkdirSync(dir, { mode: 0o700 })
    const logger = new RecordingLogger()
    const make = () =>
      new FileFlagDefinitionCache({ key: 'k', directory: dir, leaseMs: 10_000, timeoutMs: 10_000, logger })
    const [first, second, third] = [make(), make(), make()]
    const crashed = { owner: 'c'.repeat(32), expiresAt: Date.now() - 1 }
    writeFileSync(first.leasePath, JSON.stringify(crashed), { mode: 0o600 })

    // `first` is held just as it moves or removes the lease file it judged stale; `second` recovers the same stale
    // lease meanwhile; `third` asks right after `first` has acted on the file.
    let reachedRemoval!: () => void
    const atRemoval = new Promise<void>((resolve) => (reachedRemoval = resolve))
    let resume!: () => void
    const resumed = new Promise<void>((resolve) => (resume = resolve))
    let held = false
    let thirdAnswer: Promise<boolean> | undefined
    const hold =
      <A extends unknown[]>(real: (path: PathLike, ...rest: A) => Promise<void>) =>
      async (path: PathLike, ...rest: A): Promise<void> => {
        if (held || path !== first.leasePath) return real(path, ...rest)
        held = true
        reachedRemoval()
        await resumed
        await real(path, ...rest)
        thirdAnswer = third.shouldFetchFlagDefinitions()
        await thirdAnswer
      }
    const { rename, unlink } = fsPromises
    const spies = [
      jest.spyOn(fsPromises, 'rename').mockImplementation(hold(rename)),
      jest.spyOn(fsPromises, 'unlink').mockImplementation(hold(unlink)),
    ]
    try {
      const firstAnswer = first.shouldFetchFlagDefinitions()
      await atRemoval
      const secondAnswer = await second.shouldFetchFlagDefinitions()
      resume()
      const answers = [await firstAnswer, secondAnswer, await thirdAnswer]
      expect(answers.filter(Boolean)).toHaveLength(1)
      expect(logger.warnings).toEqual([])
    } finally {
      for (const spy of spies) spy.mockRestore()
    }
  })

  it('recovers a stale lease whose remover crashed while holding its claim, once that claim lapses', async () => {
    const dir = join(root, uniqueName('crashed-claim'))
    mkdirSync(dir, { mode: 0o700 })
    const provider = new FileFlagDefinitionCache({ key: 'k', directory: dir, leaseMs: 100 })
    const crashed = 'd'.repeat(32)
    writeFileSync(provider.leasePath, JSON.stringify({ owner: crashed, expiresAt: Date.now() - 1 }), { mode: 0o600 })
    writeFileSync(`${provider.leasePath}.${crashed}.claim`, '', { mode: 0o600 })
    expect(await provider.shouldFetchFlagDefinitions()).toBe(false)
    await sleep(200)
    expect(await provider.shouldFetchFlagDefinitions()).toBe(true)
    expect(readdirSync(dir).filter((name) => name.endsWith('.claim'))).toEqual([])
  })

  it('does not honour a lease that expires further ahead than any lease lasts (the clock was set back)', async () => {
    const dir = join(root, uniqueName('clock-back'))
    mkdirSync(dir, { mode: 0o700 })
    const provider = new FileFlagDefinitionCache({ key: 'k', directory: dir, leaseMs: 1000 })
    // Written before the clock was set back an hour: read literally, nobody could fetch for an hour.
    const lease = { owner: 'e'.repeat(32), expiresAt: Date.now() + 3_600_000, leaseMs: 1000 }
    writeFileSync(provider.leasePath, JSON.stringify(lease), { mode: 0o600 })
    expect(await provider.shouldFetchFlagDefinitions()).toBe(true)
  })

  it('honours a lease written with a longer leaseMs than its own while it lasts', async () => {
    const dir = join(root, uniqueName('longer-lease'))
    const holder = new FileFlagDefinitionCache({ key: 'k', directory: dir, leaseMs: 60_000, maxAgeMs: 60_000 })
    expect(await holder.shouldFetchFlagDefinitions()).toBe(true)
    const other = new FileFlagDefinitionCache({ key: 'k', directory: dir, leaseMs: 100 })
    expect(await other.shouldFetchFlagDefinitions()).toBe(false)
  })

  it('recreates its directory when a temp cleaner removed it', async () => {
    const dir = join(root, uniqueName('cleaned'))
    const provider = new FileFlagDefinitionCache({ key: 'k', directory: dir })
    await provider.onFlagDefinitionsReceived(sampleDefinitions())
    rmSync(dir, { recursive: true })
    expect(await provider.shouldFetchFlagDefinitions()).toBe(true)
    await provider.onFlagDefinitionsReceived(sampleDefinitions())
    expect(await provider.getFlagDefinitions()).toEqual(sampleDefinitions())
  })

  failFastContract('a path it cannot use (a regular file where the directory should be)', (logger) => {
    const notADirectory = join(root, uniqueName('plain-file'))
    writeFileSync(notADirectory, 'x')
    return new FileFlagDefinitionCache({ key: 'k', directory: notADirectory, timeoutMs: 300, logger })
  })
})
