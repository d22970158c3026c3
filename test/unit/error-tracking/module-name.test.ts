import { createModuleNameModifier, createModuleNameResolver } from '../../../src/error-tracking/module-name.node'

describe('module names of stack frames', () => {
  const moduleOf = createModuleNameResolver('/srv/app', false)

  it.each([
    ['a file in the application folder', '/srv/app/server.js', 'server'],
    ['a file in a subfolder', '/srv/app/lib/routes/users.js', 'lib.routes:users'],
    ['an .mjs file', '/srv/app/lib/esm.mjs', 'lib:esm'],
    ['a .cjs file', '/srv/app/lib/common.cjs', 'lib:common'],
    ['a TypeScript file keeps its extension', '/srv/app/src/index.ts', 'src:index.ts'],
    ['a dependency', '/srv/app/node_modules/express/lib/router/index.js', 'express.lib.router:index'],
    ['a scoped dependency', '/srv/app/node_modules/@scope/pkg/dist/main.js', '@scope.pkg.dist:main'],
    ['a nested dependency (innermost wins)', '/srv/app/node_modules/a/node_modules/b/index.js', 'b:index'],
    ['a file outside the application folder', '/usr/lib/other/tool.js', 'tool'],
    ['a sibling folder sharing the prefix', '/srv/app2/x.js', 'x'],
    ['a URL-encoded file name', '/srv/app/my%20file.js', 'my file'],
    ['a file name with a stray %', '/srv/app/100%.js', '100%'],
    ['a bare file name', 'server.js', 'server'],
  ])('%s', (_name, filename, expected) => {
    expect(moduleOf(filename)).toBe(expected)
  })

  it('is undefined without a file name', () => {
    expect(moduleOf(undefined)).toBeUndefined()
  })

  it('understands Windows paths', () => {
    const windows = createModuleNameResolver('C:\\srv\\app', true)

    expect(windows('C:\\srv\\app\\lib\\routes\\users.js')).toBe('lib.routes:users')
    expect(windows('C:\\srv\\app\\node_modules\\express\\index.js')).toBe('express:index')
  })

  it('the frame modifier sets `module` on every frame', async () => {
    const modifier = createModuleNameModifier('/srv/app')
    const frames = await modifier([
      { platform: 'node:javascript', filename: '/srv/app/lib/a.js' },
      { platform: 'node:javascript', filename: 'node:internal/process/task_queues' },
      { platform: 'node:javascript' },
    ])

    expect(frames.map((frame) => frame.module)).toEqual(['lib:a', 'task_queues', undefined])
  })
})
