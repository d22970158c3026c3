// Conditions, rollout and variants.
import { condition, definitions, evaluate, flag, person } from './helpers'

const ids = (count: number): string[] => Array.from({ length: count }, (_, i) => `distinct_id_${i}`)
const pro = person('plan', 'exact', 'pro')

describe('conditions', () => {
  test('a flag without conditions is false', () => {
    expect(evaluate(definitions([flag('f', { groups: [] })]), 'f')).toBe(false)
    expect(evaluate(definitions([flag('f', null)]), 'f')).toBe(false)
    expect(evaluate(definitions([flag('f', { groups: null })]), 'f')).toBe(false)
  })

  test('a condition without properties or rollout matches everyone', () => {
    expect(evaluate(definitions([flag('f', { groups: [condition([])] })]), 'f')).toBe(true)
    expect(evaluate(definitions([flag('f', { groups: [{ properties: null }] })]), 'f')).toBe(true)
  })

  test('all properties of a condition must match', () => {
    const defs = definitions([flag('f', { groups: [condition([pro, person('country', 'exact', 'us')])] })])
    expect(evaluate(defs, 'f', { person: { plan: 'pro', country: 'us' } })).toBe(true)
    expect(evaluate(defs, 'f', { person: { plan: 'pro', country: 'de' } })).toBe(false)
  })

  test('a property that does not match stops the condition before a later missing one', () => {
    const defs = definitions([flag('f', { groups: [condition([pro, person('country', 'exact', 'us')])] })])
    expect(evaluate(defs, 'f', { person: { plan: 'free' } })).toBe(false)
  })

  test('a missing property before a non-matching one makes the condition inconclusive', () => {
    const defs = definitions([flag('f', { groups: [condition([person('country', 'exact', 'us'), pro])] })])
    expect(evaluate(defs, 'f', { person: { plan: 'free' } })).toBe('inconclusive')
  })

  test('a later matching condition wins over an earlier inconclusive one', () => {
    const defs = definitions([flag('f', { groups: [condition([person('country', 'exact', 'us')]), condition([pro])] })])
    expect(evaluate(defs, 'f', { person: { plan: 'pro' } })).toBe(true)
  })

  test('inconclusive when no condition matches and one was inconclusive', () => {
    const defs = definitions([flag('f', { groups: [condition([person('country', 'exact', 'us')]), condition([pro])] })])
    expect(evaluate(defs, 'f', { person: { plan: 'free' } })).toBe('inconclusive')
  })
})

describe('rollout', () => {
  test('0% includes nobody and 100% everybody', () => {
    const defs = definitions([
      flag('none', { groups: [condition([], 0)] }),
      flag('all', { groups: [condition([], 100)] }),
    ])
    expect(ids(50).map((distinctId) => evaluate(defs, 'none', { distinctId }))).not.toContain(true)
    expect(ids(50).map((distinctId) => evaluate(defs, 'all', { distinctId }))).not.toContain(false)
  })

  test('a null rollout includes everyone who matches the properties', () => {
    const defs = definitions([flag('f', { groups: [condition([pro], null)] })])
    expect(evaluate(defs, 'f', { person: { plan: 'pro' } })).toBe(true)
  })

  test('rollout applies after the properties match', () => {
    const defs = definitions([flag('simple-flag', { groups: [condition([pro], 45)] })])
    const values = ids(10).map((distinctId) => evaluate(defs, 'simple-flag', { distinctId, person: { plan: 'pro' } }))
    expect(values).toEqual([false, true, true, false, true, false, false, true, false, true])
  })

  test('a numeric-string rollout is coerced like a number', () => {
    const asString = definitions([flag('simple-flag', { groups: [condition([], '45' as unknown as number)] })])
    const values = ids(10).map((distinctId) => evaluate(asString, 'simple-flag', { distinctId }))
    expect(values).toEqual([false, true, true, false, true, false, false, true, false, true])
  })
})

describe('variants', () => {
  const variants = [
    { key: 'first-variant', rollout_percentage: 50 },
    { key: 'second-variant', rollout_percentage: 20 },
    { key: 'third-variant', rollout_percentage: 20 },
    { key: 'fourth-variant', rollout_percentage: 5 },
    { key: 'fifth-variant', rollout_percentage: 5 },
  ]

  test('a multivariate flag returns the variant of the id (the upstream test vector)', () => {
    const defs = definitions([flag('multivariate-flag', { groups: [condition([], 55)], multivariate: { variants } })])
    const values = ids(10).map((distinctId) => evaluate(defs, 'multivariate-flag', { distinctId }))
    expect(values).toEqual([
      'second-variant',
      'second-variant',
      'first-variant',
      false,
      false,
      'second-variant',
      'first-variant',
      false,
      false,
      false,
    ])
  })

  test('a valid condition variant overrides the hashed variant', () => {
    const defs = definitions([flag('f', { groups: [condition([], 100, 'third-variant')], multivariate: { variants } })])
    expect(ids(20).map((distinctId) => evaluate(defs, 'f', { distinctId }))).toEqual(Array(20).fill('third-variant'))
  })

  test('a condition variant that is not one of the variants is ignored', () => {
    const defs = definitions([flag('f', { groups: [condition([], 100, 'nope')], multivariate: { variants } })])
    const values = new Set(ids(50).map((distinctId) => evaluate(defs, 'f', { distinctId })))
    expect(values.has('nope')).toBe(false)
    expect(values.has('first-variant')).toBe(true)
  })

  test('a condition variant on a flag without variants is ignored', () => {
    const defs = definitions([flag('f', { groups: [condition([], 100, 'solo')] })])
    expect(evaluate(defs, 'f')).toBe(true)
  })

  test('ids that fall in no variant range get true', () => {
    const defs = definitions([
      flag('f', {
        groups: [condition([], 100)],
        multivariate: { variants: [{ key: 'tiny', rollout_percentage: 10 }] },
      }),
    ])
    const values = new Set(ids(300).map((distinctId) => evaluate(defs, 'f', { distinctId })))
    expect(values).toEqual(new Set([true, 'tiny']))
  })

  test('an empty variant list gives true', () => {
    const defs = definitions([flag('f', { groups: [condition([], 100)], multivariate: { variants: [] } })])
    expect(evaluate(defs, 'f')).toBe(true)
  })

  test('an empty variant key gives true', () => {
    const defs = definitions([
      flag('f', { groups: [condition([], 100)], multivariate: { variants: [{ key: '', rollout_percentage: 100 }] } }),
    ])
    expect(evaluate(defs, 'f')).toBe(true)
  })

  test('variant ranges accumulate in definition order', () => {
    const defs = definitions([
      flag('f', {
        groups: [condition([], 100)],
        multivariate: {
          variants: [
            { key: 'a', rollout_percentage: 0 },
            { key: 'b', rollout_percentage: 100 },
          ],
        },
      }),
    ])
    expect(new Set(ids(30).map((distinctId) => evaluate(defs, 'f', { distinctId })))).toEqual(new Set(['b']))
  })
})

describe('identical conditions in different flags', () => {
  test('flags with identical conditions and variants still bucket by their own key', () => {
    const filters = {
      groups: [condition([person('plan', 'exact', 'pro')], 50)],
      multivariate: {
        variants: [
          { key: 'a', rollout_percentage: 50 },
          { key: 'b', rollout_percentage: 50 },
        ],
      },
    }
    const defs = definitions([flag('one', filters), flag('two', structuredClone(filters))])
    const answers = (key: string) =>
      ids(200).map((distinctId) => evaluate(defs, key, { distinctId, person: { plan: 'pro' } }))
    expect(answers('one')).not.toEqual(answers('two'))
    const alone = definitions([flag('two', structuredClone(filters))])
    expect(answers('two')).toEqual(
      ids(200).map((distinctId) => evaluate(alone, 'two', { distinctId, person: { plan: 'pro' } }))
    )
  })
})

describe('rollout edge values', () => {
  test('a negative rollout includes nobody', () => {
    const defs = definitions([flag('f', { groups: [condition([], -5)] })])
    expect(ids(20).map((distinctId) => evaluate(defs, 'f', { distinctId }))).toEqual(Array(20).fill(false))
  })

  test('a rollout above 100% or that is not a number includes everybody', () => {
    const defs = definitions([
      flag('above', { groups: [condition([], 150)] }),
      flag('text', { groups: [condition([], 'half' as unknown as number)] }),
    ])
    expect(ids(20).map((distinctId) => evaluate(defs, 'above', { distinctId }))).toEqual(Array(20).fill(true))
    expect(ids(20).map((distinctId) => evaluate(defs, 'text', { distinctId }))).toEqual(Array(20).fill(true))
  })
})
