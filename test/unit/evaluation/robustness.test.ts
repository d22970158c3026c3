// The evaluator never throws: odd definitions are indexed, odd inputs end as an outcome.
import { evaluateFlag, flagPayload, prepareDefinitions } from '../../../src/evaluation'
import type { FlagDefinitionCacheData } from '../../../src/contracts/provider'
import { condition, definitions, evaluate, flag, person } from './helpers'

describe('robustness', () => {
  test('a property value whose string form throws gives an error outcome', () => {
    const defs = definitions([flag('f', { groups: [condition([person('plan', 'icontains', 'x')])] })])
    const hostile = {
      toString: () => {
        throw new TypeError('no string for you')
      },
    }
    const outcome = evaluateFlag(defs, 'f', {
      distinctId: 'd',
      groups: {},
      personProperties: { plan: hostile },
      groupProperties: {},
    })
    expect(outcome).toEqual({ kind: 'error', error: expect.any(TypeError) })
  })

  test('a thrown non-Error value becomes an Error with an explanation', () => {
    const defs = definitions([flag('f', { groups: [condition([person('plan', 'icontains', 'x')])] })])
    const hostile = {
      toString: () => {
        throw 'plain string'
      },
    }
    const outcome = evaluateFlag(defs, 'f', {
      distinctId: 'd',
      groups: {},
      personProperties: { plan: hostile },
      groupProperties: {},
    })
    expect(outcome?.kind).toBe('error')
    expect(outcome?.kind === 'error' && outcome.error.message).toMatch(/plain string/)
  })

  test('missing group properties for a present group give an error outcome, not a throw', () => {
    const defs = definitions(
      [flag('g', { aggregation_group_type_index: 0, groups: [condition([person('size', 'gt', 1)])] })],
      {},
      { '0': 'company' }
    )
    const outcome = evaluateFlag(defs, 'g', {
      distinctId: 'd',
      groups: { company: 'acme' },
      personProperties: {},
      groupProperties: {},
    })
    expect(outcome?.kind).toBe('error')
  })

  test('definitions with odd value types are indexed and answered', () => {
    const defs = definitions([
      flag('odd', {
        groups: [
          {
            properties: [{ key: 'a', operator: 'exact', value: { nested: [1, { deep: null }] } }],
            rollout_percentage: 'x',
          },
          { properties: [{ key: 'b', operator: 'regex', value: null }], variant: 42 },
        ],
        multivariate: { variants: [{ key: 7, rollout_percentage: 'fifty' }, {}] },
        payloads: { true: null },
      }),
    ])
    expect(evaluate(defs, 'odd', { person: { a: '[object Object]' } })).toBe(true)
    expect(evaluate(defs, 'odd', { person: { a: 'no', b: 'null' } })).toBe(true)
    expect(flagPayload(defs, 'odd', true)).toBeNull()
  })

  test('a string that is not valid JSON in a payload never throws', () => {
    const defs = definitions([flag('f', { groups: [], payloads: { true: '{"broken"' } })])
    expect(flagPayload(defs, 'f', true)).toBe('{"broken"')
  })
})

describe('prepared definitions', () => {
  const data = (flags: unknown[]): FlagDefinitionCacheData =>
    ({ flags, groupTypeMapping: {}, cohorts: {} }) as unknown as FlagDefinitionCacheData

  test('keys list each flag once, in definition order', () => {
    const defs = prepareDefinitions(data([flag('b', null), flag('a', null), flag('b', null)]))
    expect(defs.keys).toEqual(['b', 'a'])
  })

  test('flagCount counts every received definition (what the load callbacks report)', () => {
    expect(prepareDefinitions(data([flag('b', null), flag('b', null)])).flagCount).toBe(2)
  })

  test('flagsByKey holds each flag under its key', () => {
    const defs = prepareDefinitions(data([flag('a', { groups: [] }), flag('b', null)]))
    expect([...defs.flagsByKey.keys()]).toEqual(['a', 'b'])
    expect(defs.flagsByKey.get('a')?.key).toBe('a')
  })

  test('evaluating does not depend on the definitions object staying unchanged', () => {
    const source = flag('a', { groups: [condition([person('plan', 'exact', 'pro')])] })
    const defs = prepareDefinitions(data([source]))
    ;(source.filters as { groups: { properties: { value: string }[] }[] }).groups[0].properties[0].value = 'free'
    expect(evaluate(defs, 'a', { person: { plan: 'pro' } })).toBe(true)
  })
})
