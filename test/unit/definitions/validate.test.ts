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
    ['a group mapping that is not an object', { ...data(), groupTypeMapping: [] }, 'groupTypeMapping is an array'],
    ['cohorts that are not an object', { ...data(), cohorts: null }, 'cohorts is null, expected an object'],
  ])('rejects an envelope with %s, with a reason', (_name, value, reason) => {
    const result = validateFlagDefinitions(value)
    expect(result.ok).toBe(false)
    expect(result.ok ? '' : result.reason).toContain(reason)
  })

  it.each([
    ['a flag without a key', data([{ filters: {} }])],
    ['a flag without filters (the published type allows it)', data([{ key: 'f' }])],
    ['a property without a key', data([flag({ filters: { groups: [{ properties: [{}] }] } })])],
    ['a condition that is not an object', data([flag({ filters: { groups: [null, 'x'] } })])],
    ['a flag that is not an object', data([null, flag()])],
    ['a cohort that is not a property group', { ...data(), cohorts: { '1': 'broken' } }],
  ])('accepts a set with %s: such parts are judged per flag when evaluated', (_name, value) => {
    expect(validateFlagDefinitions(value)).toEqual({ ok: true, data: value })
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

  it('hands on a flag the API sent without filters exactly as sent', () => {
    const result = definitionsFromApiResponse({ flags: [{ id: 1, key: 'bare', active: true }] })
    expect(result.ok).toBe(true)
    const stored = result.ok ? result.data : undefined
    expect(stored?.flags[0]).toEqual({ id: 1, key: 'bare', active: true })
    expect(validateFlagDefinitions(JSON.parse(JSON.stringify(stored))).ok).toBe(true)
  })
})
