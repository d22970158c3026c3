// Node-only frame modifier: adds the source lines around each frame (`pre_context`, `context_line`,
// `post_context`) read from the files on disk, with small caches so repeated errors do not re-read files.
import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { LruMap } from './lru'
import { type StackFrameModifier } from './properties-builder'
import { type ErrorTracking as CoreErrorTracking } from '@posthog/core'

type StackFrame = CoreErrorTracking.StackFrame

export const CONTEXT_LINES = 7
// Frames past these positions are most likely in generated or minified code, where context is noise.
export const MAX_CONTEXT_LINENO = 10000
export const MAX_CONTEXT_COLNO = 1000
const MAX_LINE_LENGTH = 150
const SNIPPED_LINE_LENGTH = 140

/** The lines read so far from one file, and where it ended if the read reached its end. */
interface FileLines {
  lines: Map<number, string>
  lastLine?: number
}

export interface SourceContextOptions {
  /** Files whose lines are kept (default 25). */
  fileCacheSize?: number
  /** Paths that failed to read and are not tried again (default 20). */
  failedCacheSize?: number
}

function skipsFile(path: string): boolean {
  return (
    path.startsWith('node:') ||
    path.startsWith('data:') ||
    path.endsWith('.min.js') ||
    path.endsWith('.min.cjs') ||
    path.endsWith('.min.mjs')
  )
}

function wantsContext(frame: StackFrame): frame is StackFrame & { filename: string; lineno: number } {
  return (
    typeof frame.filename === 'string' &&
    typeof frame.lineno === 'number' &&
    frame.lineno <= MAX_CONTEXT_LINENO &&
    (frame.colno === undefined || frame.colno <= MAX_CONTEXT_COLNO) &&
    !skipsFile(frame.filename)
  )
}

/** Long lines (usually generated code) are cut to their start. */
export function snipLine(line: string): string {
  return line.length > MAX_LINE_LENGTH ? `${line.slice(0, SNIPPED_LINE_LENGTH)}...` : line
}

function firstContextLine(lineno: number): number {
  return Math.max(1, lineno - CONTEXT_LINES)
}

function isKnown(file: FileLines, line: number): boolean {
  return file.lines.has(line) || (file.lastLine !== undefined && line > file.lastLine)
}

/** Reads the wanted lines of a file into `into`; rejects when the file cannot be read. */
function readLines(path: string, wanted: Set<number>, into: FileLines): Promise<void> {
  const lastWanted = Math.max(...wanted)
  return new Promise((resolve, reject) => {
    const stream = createReadStream(path, { encoding: 'utf8' })
    const reader = createInterface({ input: stream, crlfDelay: Infinity })
    let lineNumber = 0
    let reachedEnd = true
    let settled = false
    const finish = (error?: unknown): void => {
      if (settled) return
      settled = true
      reader.close()
      stream.destroy()
      if (error) reject(error)
      else resolve()
    }
    // readline re-emits the stream's errors on itself, so both need a listener
    stream.on('error', finish)
    reader.on('error', finish)
    reader.on('line', (line) => {
      lineNumber++
      if (wanted.has(lineNumber)) into.lines.set(lineNumber, snipLine(line))
      if (lineNumber >= lastWanted) {
        reachedEnd = false
        finish()
      }
    })
    reader.on('close', () => {
      if (reachedEnd) into.lastLine = lineNumber
      finish()
    })
  })
}

function addContext(frame: StackFrame & { lineno: number }, file: FileLines): void {
  const { lineno } = frame
  const context = file.lines.get(lineno)
  if (context === undefined) return
  const pre: string[] = []
  for (let line = firstContextLine(lineno); line < lineno; line++) {
    const text = file.lines.get(line)
    if (text === undefined) return // a hole before the line means the file changed under us: add nothing
    pre.push(text)
  }
  const post: string[] = []
  for (let line = lineno + 1; line <= lineno + CONTEXT_LINES; line++) {
    const text = file.lines.get(line)
    if (text === undefined) break // end of file
    post.push(text)
  }
  frame.pre_context = pre
  frame.context_line = context
  frame.post_context = post
}

export function createSourceContextModifier(options: SourceContextOptions = {}): StackFrameModifier {
  const files = new LruMap<string, FileLines>(options.fileCacheSize ?? 25)
  const failed = new LruMap<string, true>(options.failedCacheSize ?? 20)

  return async (frames) => {
    const targets = frames.filter(wantsContext)
    const wantedByFile = new Map<string, Set<number>>()
    for (const frame of targets) {
      const wanted = wantedByFile.get(frame.filename) ?? new Set<number>()
      for (let line = firstContextLine(frame.lineno); line <= frame.lineno + CONTEXT_LINES; line++) wanted.add(line)
      wantedByFile.set(frame.filename, wanted)
    }

    // This call's files are kept aside too, so a stack spanning more files than the cache still gets all its context.
    const readable = new Map<string, FileLines>()
    const reads: Promise<void>[] = []
    for (const [path, wanted] of wantedByFile) {
      if (failed.has(path)) continue
      const cached = files.get(path) ?? { lines: new Map<number, string>() }
      files.set(path, cached)
      readable.set(path, cached)
      const missing = new Set([...wanted].filter((line) => !isKnown(cached, line)))
      if (missing.size === 0) continue
      reads.push(
        readLines(path, missing, cached).catch(() => {
          failed.set(path, true)
          files.delete(path)
          readable.delete(path)
        })
      )
    }
    await Promise.all(reads)

    for (const frame of targets) {
      if (frame.context_line !== undefined) continue
      const file = readable.get(frame.filename)
      if (file) addContext(frame, file)
    }
    return frames
  }
}
