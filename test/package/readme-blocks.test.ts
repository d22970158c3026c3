// How the README harness picks blocks (it must not silently skip examples).
import { typescriptBlocks } from './helpers/readme-blocks'

describe('typescriptBlocks', () => {
  it('takes ts and typescript blocks with the line of their first code line, and nothing else', () => {
    const markdown = [
      '# T',
      '```ts',
      'const a = 1',
      '```',
      '```js',
      'x',
      '```',
      '```typescript',
      'const b = 2',
      '```',
    ].join('\n')
    expect(typescriptBlocks(markdown)).toEqual([
      { line: 3, code: 'const a = 1' },
      { line: 9, code: 'const b = 2' },
    ])
  })

  it('skips a block preceded by a no-compile comment, also across blank lines, but only that block', () => {
    const markdown = ['<!-- no-compile -->', '', '```ts', 'broken(', '```', '```ts', 'const ok = 1', '```'].join('\n')
    expect(typescriptBlocks(markdown)).toEqual([{ line: 7, code: 'const ok = 1' }])
  })
})
