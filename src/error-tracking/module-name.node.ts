// Node-only frame modifier: names each frame's module after its file, e.g. `lib.routes:users` for
// <app>/lib/routes/users.js and `express.lib.router:index` for .../node_modules/express/lib/router/index.js.
import { dirname, posix, sep } from 'node:path'
import { type StackFrameModifier } from './properties-builder'

const SCRIPT_EXTENSIONS = new Set(['.js', '.mjs', '.cjs'])
const NODE_MODULES = '/node_modules/'

function toPosixPath(path: string): string {
  return path.replace(/^[A-Za-z]:/, '').replace(/\\/g, '/')
}

function decodeFileName(name: string): string {
  try {
    return decodeURIComponent(name)
  } catch {
    return name // a stray '%' is a legal character in a file name
  }
}

/** The directory module names are relative to: the main script's folder, or the working directory. */
export function defaultModuleBasePath(): string {
  return process.argv[1] ? dirname(process.argv[1]) : process.cwd()
}

export function createModuleNameResolver(
  basePath: string = defaultModuleBasePath(),
  isWindows: boolean = sep === '\\'
): (filename: string | undefined) => string | undefined {
  const base = (isWindows ? toPosixPath(basePath) : basePath).replace(/\/+$/, '')
  return (filename) => {
    if (!filename) return undefined
    const parsed = posix.parse(isWindows ? toPosixPath(filename) : filename)
    const file = decodeFileName(SCRIPT_EXTENSIONS.has(parsed.ext) ? parsed.name : parsed.base)
    const dir = parsed.dir || '.'

    // `${dir}/` so that a file directly inside node_modules is found too.
    const packageStart = `${dir}/`.lastIndexOf(NODE_MODULES)
    if (packageStart > -1) {
      const packagePath = dir.slice(packageStart + NODE_MODULES.length)
      return `${packagePath.replace(/\//g, '.')}:${file}`
    }
    if (dir === base) return file
    if (dir.startsWith(`${base}/`)) return `${dir.slice(base.length + 1).replace(/\//g, '.')}:${file}`
    return file
  }
}

export function createModuleNameModifier(basePath?: string): StackFrameModifier {
  const moduleOf = createModuleNameResolver(basePath)
  return async (frames) => {
    for (const frame of frames) frame.module = moduleOf(frame.filename)
    return frames
  }
}
