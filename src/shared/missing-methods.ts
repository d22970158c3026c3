/** The names in `methods` that `value` does not have as functions: what an object passed as a plug-in lacks. */
export function missingMethods<Name extends string>(value: unknown, methods: readonly Name[]): Name[] {
  const fields = (typeof value === 'object' || typeof value === 'function') && value !== null ? value : {}
  return methods.filter((method) => typeof (fields as Record<string, unknown>)[method] !== 'function')
}
