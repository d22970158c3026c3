// Canonical texts for JSON-like values, so that identical parts of a definition set (the same property condition
// in many flags, the same variant split, the same rollout) are indexed once and shared.

/**
 * A text equal for two values exactly when the evaluator treats them the same; undefined for anything it cannot
 * vouch for (Dates, NaN, holes, class instances, deep nesting...), which is then simply not shared.
 */
export function canonical(value: unknown, depth = 0): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'number':
      return Number.isFinite(value) ? `n${value}` : undefined
    case 'boolean':
      return value ? 't' : 'f'
    case 'undefined':
      return 'u'
    case 'object': {
      if (value === null) return 'null'
      if (depth > 6) return undefined
      if (Array.isArray(value)) {
        let text = '['
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) return undefined
          const element = canonical(value[i], depth + 1)
          if (element === undefined) return undefined
          text += `${element},`
        }
        return `${text}]`
      }
      const prototype: unknown = Object.getPrototypeOf(value)
      if (prototype !== Object.prototype && prototype !== null) return undefined
      let text = '{'
      for (const key of Object.keys(value).sort()) {
        const member = canonical((value as Record<string, unknown>)[key], depth + 1)
        if (member === undefined) return undefined
        text += `${JSON.stringify(key)}:${member},`
      }
      return `${text}}`
    }
    default:
      return undefined
  }
}
