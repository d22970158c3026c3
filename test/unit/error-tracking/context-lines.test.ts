import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ErrorTracking as CoreErrorTracking } from '@posthog/core'
import { createSourceContextModifier } from '../../../src/error-tracking/context-lines.node'
import { upstreamAddSourceContext } from './upstream-oracle'

type StackFrame = CoreErrorTracking.StackFrame

let dir: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'posthog-context-lines-'))
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Writes a file whose line N reads `line N`. */
function sourceFile(name: string, lineCount: number, overrides: Record<number, string> = {}): string {
  const path = join(dir, name)
  const lines = Array.from({ length: lineCount }, (_, i) => overrides[i + 1] ?? `line ${i + 1}`)
  writeFileSync(path, lines.join('\n'))
  return path
}

function frame(filename: string, lineno: number, colno = 1): StackFrame {
  return { platform: 'node:javascript', filename, lineno, colno }
}

const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`)

describe('source context lines', () => {
  it('adds the 7 lines before and after the frame line', async () => {
    const path = sourceFile('middle.js', 40)
    const [result] = await createSourceContextModifier()([frame(path, 20)])

    expect(result).toMatchObject({ pre_context: lines(13, 19), context_line: 'line 20', post_context: lines(21, 27) })
  })

  it('gives fewer lines near the start and the end of a file', async () => {
    const path = sourceFile('short.js', 10)
    const [nearStart, nearEnd] = await createSourceContextModifier()([frame(path, 3), frame(path, 9)])

    expect(nearStart).toMatchObject({ pre_context: lines(1, 2), context_line: 'line 3', post_context: lines(4, 10) })
    expect(nearEnd).toMatchObject({ pre_context: lines(2, 8), context_line: 'line 9', post_context: lines(10, 10) })
  })

  it('cuts lines longer than 150 characters to their first 140 followed by "..."', async () => {
    const long = 'x'.repeat(151)
    const exactlyLimit = 'y'.repeat(150)
    const path = sourceFile('long.js', 5, { 2: long, 3: exactlyLimit })
    const [result] = await createSourceContextModifier()([frame(path, 2)])

    expect(result.context_line).toBe(`${'x'.repeat(140)}...`)
    expect(result.post_context?.[0]).toBe(exactlyLimit)
  })

  it('serves several frames of one file and frames of several files', async () => {
    const a = sourceFile('a.js', 100)
    const b = sourceFile('b.js', 100)
    const frames = await createSourceContextModifier()([frame(a, 10), frame(b, 50), frame(a, 90)])

    expect(frames.map((f) => f.context_line)).toEqual(['line 10', 'line 50', 'line 90'])
  })

  it.each([
    ['node: built-ins', 'node:internal/modules/cjs/loader'],
    ['data: URLs', 'data:text/javascript,throw 1'],
    ['.min.js files', 'bundle.min.js'],
    ['.min.cjs files', 'bundle.min.cjs'],
    ['.min.mjs files', 'bundle.min.mjs'],
  ])('skips %s', async (_name, name) => {
    const path = name.includes(':') ? name : sourceFile(name, 20)
    const [result] = await createSourceContextModifier()([frame(path, 5)])

    expect(result.context_line).toBeUndefined()
  })

  it('skips frames beyond line 10000 or column 1000', async () => {
    const path = sourceFile('big.js', 10010)
    const [lastAllowed, tooFarDown, tooFarRight] = await createSourceContextModifier()([
      frame(path, 10000),
      frame(path, 10001),
      frame(path, 20, 1001),
    ])

    expect(lastAllowed.context_line).toBe('line 10000')
    expect(tooFarDown.context_line).toBeUndefined()
    expect(tooFarRight.context_line).toBeUndefined()
  })

  it('leaves frames alone when the line is past the end of the file', async () => {
    const path = sourceFile('tiny.js', 3)
    const [result] = await createSourceContextModifier()([frame(path, 8)])

    expect(result).not.toHaveProperty('context_line')
    expect(result).not.toHaveProperty('pre_context')
  })

  it('keeps the frame unchanged when the file cannot be read, and does not try that path again', async () => {
    const path = join(dir, 'appears-later.js')
    const addContext = createSourceContextModifier()

    const [missing] = await addContext([frame(path, 2)])
    sourceFile('appears-later.js', 5)
    const [stillSkipped] = await addContext([frame(path, 2)])

    expect(missing.context_line).toBeUndefined()
    expect(stillSkipped.context_line).toBeUndefined()
  })

  it('serves repeated frames from its cache without reading the file again', async () => {
    const path = sourceFile('cached.js', 20)
    const addContext = createSourceContextModifier()
    await addContext([frame(path, 5)])

    sourceFile('cached.js', 20, { 5: 'changed on disk' })
    const [again] = await addContext([frame(path, 5)])

    expect(again.context_line).toBe('line 5')
  })

  it('forgets the least recently used file when more files than the cache size are seen', async () => {
    const addContext = createSourceContextModifier({ fileCacheSize: 2 })
    const [first, second, third] = ['lru-1.js', 'lru-2.js', 'lru-3.js'].map((name) => sourceFile(name, 10))
    await addContext([frame(first, 5)])
    await addContext([frame(second, 5)])
    await addContext([frame(third, 5)])

    sourceFile('lru-1.js', 10, { 5: 'reread' })
    sourceFile('lru-3.js', 10, { 5: 'reread' })
    const [evicted, kept] = await addContext([frame(first, 5), frame(third, 5)])

    expect(evicted.context_line).toBe('reread')
    expect(kept.context_line).toBe('line 5')
  })

  it('adds context to every frame of a stack spanning more files than the cache holds', async () => {
    const addContext = createSourceContextModifier({ fileCacheSize: 2 })
    const paths = ['many-1.js', 'many-2.js', 'many-3.js', 'many-4.js'].map((name) => sourceFile(name, 10))

    const frames = await addContext(paths.map((path) => frame(path, 4)))

    expect(frames.map((f) => f.context_line)).toEqual(['line 4', 'line 4', 'line 4', 'line 4'])
  })

  it('does not overwrite context a frame already has', async () => {
    const path = sourceFile('preset.js', 10)
    const preset = { ...frame(path, 5), context_line: 'from a source map' }
    const [result] = await createSourceContextModifier()([preset])

    expect(result.context_line).toBe('from a source map')
  })

  it('reads files with Windows line endings', async () => {
    const path = join(dir, 'crlf.js')
    writeFileSync(path, 'one\r\ntwo\r\nthree\r\n')
    const [result] = await createSourceContextModifier()([frame(path, 2)])

    expect(result).toMatchObject({ pre_context: ['one'], context_line: 'two', post_context: ['three'] })
  })
})

describe('source context lines match upstream posthog-node 5.13.2', () => {
  const upstream = upstreamAddSourceContext()

  it.each([
    ['frames in the middle, near the start and near the end', (p: string) => [frame(p, 1), frame(p, 30), frame(p, 58)]],
    ['frames whose ranges overlap', (p: string) => [frame(p, 20), frame(p, 24), frame(p, 26)]],
    ['a frame past the end of the file', (p: string) => [frame(p, 70)]],
    ['a frame past column 1000', (p: string) => [frame(p, 10, 1200)]],
  ])('for %s', async (_name, makeFrames) => {
    const path = sourceFile('parity.js', 60, { 12: 'z'.repeat(400), 29: 'w'.repeat(150) })

    const ours = await createSourceContextModifier()(makeFrames(path))
    const theirs = await upstream(makeFrames(path))

    expect(ours).toEqual(theirs)
  })
})
