/**
 * Logs each kind of problem once. The kind is named by the caller (e.g. the provider method and how it failed), not
 * derived from the text, so messages that differ in detail or alternate cannot defeat the de-duplication. A caller
 * that knows when a kind is over (its operation succeeded) says so with `recovered`, and the next one is news again.
 */
export class OncePerKind {
  private readonly seen = new Set<string>()

  constructor(private readonly log: (message: string) => void) {}

  warn(kind: string, message: string): void {
    if (this.seen.has(kind)) return
    this.seen.add(kind)
    try {
      this.log(message)
    } catch {
      // A logger that throws must not break the caller.
    }
  }

  recovered(kind: string): void {
    this.seen.delete(kind)
  }
}
