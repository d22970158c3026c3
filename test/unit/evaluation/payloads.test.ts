// Local payloads.
import { flagPayload } from '../../../src/evaluation'
import { condition, definitions, flag } from './helpers'

const withPayloads = (payloads: Record<string, unknown>) =>
  definitions([
    flag('f', {
      groups: [condition([], 100)],
      multivariate: { variants: [{ key: 'blue', rollout_percentage: 100 }] },
      payloads,
    }),
  ])

describe('payloads', () => {
  test('true reads the "true" payload and parses JSON text', () => {
    expect(flagPayload(withPayloads({ true: '{"a":1}' }), 'f', true)).toEqual({ a: 1 })
  })

  test('a variant reads the payload stored under its key', () => {
    expect(flagPayload(withPayloads({ blue: '[1,2]', true: '"no"' }), 'f', 'blue')).toEqual([1, 2])
  })

  test('false, null and undefined have no payload', () => {
    const defs = withPayloads({ true: '1', false: '2' })
    expect(flagPayload(defs, 'f', false)).toBeNull()
    expect(flagPayload(defs, 'f', null)).toBeNull()
    expect(flagPayload(defs, 'f', undefined)).toBeNull()
  })

  test('text that is not JSON is returned as it is', () => {
    expect(flagPayload(withPayloads({ true: 'not json' }), 'f', true)).toBe('not json')
  })

  test('JSON scalars are parsed', () => {
    expect(flagPayload(withPayloads({ true: '12' }), 'f', true)).toBe(12)
    expect(flagPayload(withPayloads({ true: '"text"' }), 'f', true)).toBe('text')
    expect(flagPayload(withPayloads({ true: '0' }), 'f', true)).toBe(0)
  })

  test('falsy stored payloads count as no payload', () => {
    expect(flagPayload(withPayloads({ true: '' }), 'f', true)).toBeNull()
    expect(flagPayload(withPayloads({ true: 0 }), 'f', true)).toBeNull()
    expect(flagPayload(withPayloads({ true: false }), 'f', true)).toBeNull()
  })

  test('non-string stored payloads are returned as they are', () => {
    expect(flagPayload(withPayloads({ true: { direct: true } }), 'f', true)).toEqual({ direct: true })
    expect(flagPayload(withPayloads({ true: 7 }), 'f', true)).toBe(7)
  })

  test('each call returns a fresh copy of a JSON object payload', () => {
    const defs = withPayloads({ true: '{"a":1}' })
    const first = flagPayload(defs, 'f', true) as Record<string, unknown>
    first.a = 2
    expect(flagPayload(defs, 'f', true)).toEqual({ a: 1 })
  })

  test('a missing payload, flag without payloads or unknown key gives null', () => {
    expect(flagPayload(withPayloads({ true: '1' }), 'f', 'blue')).toBeNull()
    expect(flagPayload(definitions([flag('g', { groups: [] })]), 'g', true)).toBeNull()
    expect(flagPayload(withPayloads({ true: '1' }), 'unknown', true)).toBeNull()
  })

  test('a variant named "true" shares the payload of true', () => {
    expect(flagPayload(withPayloads({ true: '5' }), 'f', 'true')).toBe(5)
  })

  test('payloads are looked up without evaluating the flag', () => {
    const defs = definitions([flag('off', { groups: [] }, { active: false, filters: { payloads: { true: '1' } } })])
    expect(flagPayload(defs, 'off', true)).toBe(1)
  })
})
