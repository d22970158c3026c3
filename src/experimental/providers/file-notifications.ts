// File change notifications: the writer renames its temp file onto the entry, so a rename of the entry's name in
// the cache directory means new definitions. A 304 only touches the entry's time, which is not a rename.
import { watch, type FSWatcher } from 'node:fs'
import { basename, dirname } from 'node:path'
import { describeError } from '../../shared/async'

/**
 * Watches the entry's directory once `directoryReady` resolved (the provider creates it on first use); returns what
 * stops watching. Falls back to polling, said through `warn`, if it cannot watch.
 */
export function watchFileChanges(
  entryPath: string,
  directoryReady: () => Promise<void>,
  warn: (message: string) => void,
  onChange: () => void
): () => void {
  const name = basename(entryPath)
  const directory = dirname(entryPath)
  let watcher: FSWatcher | undefined
  let stopped = false
  directoryReady().then(
    () => {
      if (stopped) return
      try {
        // Not persistent: a watcher must not keep a process alive.
        watcher = watch(directory, { persistent: false }, (event, filename) => {
          if (!stopped && event === 'rename' && filename === name) onChange()
        })
        watcher.on('error', (error) => {
          warn(`stopped watching ${directory} for new definitions; polling only (${error.message})`)
          watcher?.close()
        })
      } catch (error) {
        warn(`cannot watch ${directory} for new definitions; polling only (${(error as Error).message})`)
      }
    },
    (error: unknown) => warn(`cannot watch ${directory} for new definitions; polling only (${describeError(error)})`)
  )
  return () => {
    stopped = true
    watcher?.close()
  }
}
