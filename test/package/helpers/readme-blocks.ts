// Finds the TypeScript examples of a markdown text, for the README harness.

export interface CodeBlock {
  /** 1-based README line of the block's first code line. */
  line: number
  code: string
}

/** The TypeScript blocks of a markdown text that should compile. */
export function typescriptBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split(/\r?\n/)
  const blocks: CodeBlock[] = []
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*```\s*(ts|typescript)\s*$/i.test(lines[i]!)) continue
    let previous = i - 1
    while (previous >= 0 && lines[previous]!.trim() === '') previous--
    const optedOut = previous >= 0 && /^\s*<!--\s*no-compile\s*-->\s*$/.test(lines[previous]!)
    let end = i + 1
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end]!)) end++
    if (!optedOut) blocks.push({ line: i + 2, code: lines.slice(i + 1, end).join('\n') })
    i = end
  }
  return blocks
}
