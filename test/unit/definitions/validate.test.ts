// Definitions are validated once where they enter the process: what a provider returns, and API responses.
import { definitionsFromApiResponse, validateFlagDefinitions } from '../../../src/definitions/validate'

const flag = (extra: Record<string, unknown> = {}) => ({
  id: 1,
  key: 'f',
  active: true,
  filters: { groups: [] },
  ...extra,
})
const data = (flags: unknown[] = [flag()]) => ({ flags, groupTypeMapping: { '0': 'company' }, cohorts: {} })

describe('validateFlagDefinitions (what a cache returns)', () => {
  it('accepts well-formed definitions and returns the same object', () => {
    const value = data()
    expect(validateFlagDefinitions(value)).toEqual({ ok: true, data: value })
  })

  it.each([
    ['a non-object', 'flags', 'definitions are a string, expected an object'],
    ['flags that are not an array', { ...data(), flags: {} }, 'flags is an object, expected an array'],
    ['a flag without a key', data([{ filters: {} }]), 'flags[0].key is undefined, expected a string'],
    ['a flag without filters', data([{ key: 'f' }]), 'flags[0] (f) has no filters'],
    ['a group mapping that is not an object', { ...data(), groupTypeMapping: [] }, 'groupTypeMapping is an array'],
    ['cohorts that are not an object', { ...data(), cohorts: null }, 'cohorts is null, expected an object'],
    ['a property without a key', data([flag({ filters: { groups: [{ properties: [{}] }] } })]), 'properties[0].key'],
  ])('rejects %s with a reason', (_name, value, reason) => {
    const result = validateFlagDefinitions(value)
    expect(result.ok).toBe(false)
    expect(result.ok ? '' : result.reason).toContain(reason)
  })
})

describe('definitionsFromApiResponse (what the API returns)', () => {
  it('turns the snake_case response into camelCase data, defaulting missing mapping and cohorts', () => {
    const result = definitionsFromApiResponse({ flags: [flag()] })
    expect(result).toEqual({ ok: true, data: { flags: [flag()], groupTypeMapping: {}, cohorts: {} } })
  })

  it('rejects a body without a flags field', () => {
    expect(definitionsFromApiResponse({ group_type_mapping: {} })).toEqual({
      ok: false,
      reason: 'response body has no flags field',
    })
  })

  it('accepts a flag the API sent without filters, storing it with null filters so the cache accepts it back', () => {
    const result = definitionsFromApiResponse({ flags: [{ id: 1, key: 'bare', active: true }] })
    expect(result.ok).toBe(true)
    const stored = result.ok ? result.data : undefined
    expect(stored?.flags[0]).toEqual({ id: 1, key: 'bare', active: true, filters: null })
    expect(validateFlagDefinitions(JSON.parse(JSON.stringify(stored))).ok).toBe(true)
  })
})
