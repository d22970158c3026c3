/** Whether `value` can be read as a record of fields (arrays too, as `typeof` says): the first check of untrusted JSON. */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null
