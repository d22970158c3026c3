// Flag dependencies.
import { condition, createDependencyCache, definitions, evaluate, flag, person, type Json } from './helpers'

const dependsOn = (key: string, value: unknown, chain: unknown = [key]): Json => ({
  key,
  type: 'flag',
  value,
  operator: 'flag_evaluates_to',
  dependency_chain: chain,
})
const withoutChain = (key: string, value: unknown): Json => ({
  key,
  type: 'flag',
  value,
  operator: 'flag_evaluates_to',
})
const proOnly = { groups: [condition([person('plan', 'exact', 'pro')])] }

describe('flag dependencies', () => {
  test('a dependency on true matches when the other flag is on', () => {
    const defs = definitions([flag('base', proOnly), flag('f', { groups: [condition([dependsOn('base', true)])] })])
    expect(evaluate(defs, 'f', { person: { plan: 'pro' } })).toBe(true)
    expect(evaluate(defs, 'f', { person: { plan: 'free' } })).toBe(false)
  })

  test('a dependency on false matches when the other flag is off', () => {
    const defs = definitions([flag('base', proOnly), flag('f', { groups: [condition([dependsOn('base', false)])] })])
    expect(evaluate(defs, 'f', { person: { plan: 'free' } })).toBe(true)
  })

  test('expecting true accepts any non-empty variant', () => {
    const base = flag('base', {
      groups: [condition([], 100)],
      multivariate: { variants: [{ key: 'blue', rollout_percentage: 100 }] },
    })
    const defs = definitions([base, flag('f', { groups: [condition([dependsOn('base', true)])] })])
    expect(evaluate(defs, 'f')).toBe(true)
  })

  test('expecting a variant compares case-sensitively', () => {
    const base = flag('base', {
      groups: [condition([], 100)],
      multivariate: { variants: [{ key: 'blue', rollout_percentage: 100 }] },
    })
    const defs = definitions([
      base,
      flag('exact', { groups: [condition([dependsOn('base', 'blue')])] }),
      flag('upper', { groups: [condition([dependsOn('base', 'BLUE')])] }),
    ])
    expect(evaluate(defs, 'exact')).toBe(true)
    expect(evaluate(defs, 'upper')).toBe(false)
  })

  test('expecting a number or an array never matches', () => {
    const defs = definitions([
      flag('base', { groups: [condition([], 100)] }),
      flag('n', { groups: [condition([dependsOn('base', 1)])] }),
      flag('a', { groups: [condition([dependsOn('base', [true])])] }),
    ])
    expect(evaluate(defs, 'n')).toBe(false)
    expect(evaluate(defs, 'a')).toBe(false)
  })

  test('an inactive dependency counts as false', () => {
    const defs = definitions([
      flag('base', { groups: [condition([], 100)] }, { active: false }),
      flag('f', { groups: [condition([dependsOn('base', false)])] }),
    ])
    expect(evaluate(defs, 'f')).toBe(true)
  })

  test('a dependency is evaluated as a flag of its own: its group aggregation decides whose properties it reads', () => {
    const defs = definitions(
      [
        flag('base', { aggregation_group_type_index: 0, ...proOnly }),
        flag('f', { groups: [condition([dependsOn('base', true)])] }),
      ],
      {},
      { '0': 'company' }
    )
    const who = { person: { plan: 'free' }, groups: { company: 'acme' }, groupProperties: { company: { plan: 'pro' } } }
    expect(evaluate(defs, 'f', who)).toBe(true)
    expect(evaluate(defs, 'f', { person: { plan: 'pro' } })).toBe(false)
  })

  test('a dependency with experience continuity makes its dependents inconclusive', () => {
    const defs = definitions([
      flag('base', proOnly, { ensure_experience_continuity: true }),
      flag('f', { groups: [condition([dependsOn('base', true)])] }),
    ])
    expect(evaluate(defs, 'f', { person: { plan: 'pro' } })).toBe('inconclusive')
  })

  test('a transitive chain is evaluated in order', () => {
    const defs = definitions([
      flag('a', proOnly),
      flag('b', { groups: [condition([dependsOn('a', true)])] }),
      flag('c', { groups: [condition([dependsOn('b', true, ['a', 'b'])])] }),
    ])
    expect(evaluate(defs, 'c', { person: { plan: 'pro' } })).toBe(true)
    expect(evaluate(defs, 'c', { person: { plan: 'free' } })).toBe(false)
  })

  test('a missing dependency_chain is inconclusive', () => {
    const defs = definitions([flag('base', proOnly), flag('f', { groups: [condition([withoutChain('base', true)])] })])
    expect(evaluate(defs, 'f', { person: { plan: 'pro' } })).toBe('inconclusive')
  })

  test('a dependency_chain that is not an array is inconclusive', () => {
    const defs = definitions([
      flag('base', proOnly),
      flag('f', { groups: [condition([dependsOn('base', true, 'base')])] }),
    ])
    expect(evaluate(defs, 'f', { person: { plan: 'pro' } })).toBe('inconclusive')
  })

  test('an empty dependency_chain (the server marks cycles so) is inconclusive', () => {
    const defs = definitions([flag('base', proOnly), flag('f', { groups: [condition([dependsOn('base', true, [])])] })])
    expect(evaluate(defs, 'f', { person: { plan: 'pro' } })).toBe('inconclusive')
  })

  test('a chain naming an unknown flag is inconclusive', () => {
    const defs = definitions([flag('f', { groups: [condition([dependsOn('ghost', true)])] })])
    expect(evaluate(defs, 'f')).toBe('inconclusive')
  })

  test('an inconclusive dependency makes the property inconclusive', () => {
    const defs = definitions([flag('base', proOnly), flag('f', { groups: [condition([dependsOn('base', true)])] })])
    expect(evaluate(defs, 'f', { person: {} })).toBe('inconclusive')
  })

  test('a static cohort inside a dependency is downgraded to inconclusive', () => {
    const defs = definitions([
      flag('base', { groups: [condition([{ key: 'id', type: 'cohort', value: 99 }])] }),
      flag('f', { groups: [condition([dependsOn('base', true)])] }),
    ])
    expect(evaluate(defs, 'f')).toBe('inconclusive')
  })

  test('an unexpected error inside a dependency is downgraded to inconclusive', () => {
    const cohorts = {
      '1': { type: 'AND', values: [{ key: 'id', type: 'cohort', value: 2 }] },
      '2': { type: 'AND', values: [{ key: 'id', type: 'cohort', value: 1 }] },
    }
    const defs = definitions(
      [
        flag('base', { groups: [condition([{ key: 'id', type: 'cohort', value: 1 }])] }),
        flag('f', { groups: [condition([dependsOn('base', true)])] }),
      ],
      cohorts
    )
    expect(evaluate(defs, 'base')).toBe('error')
    expect(evaluate(defs, 'f')).toBe('inconclusive')
  })

  test('a circular chain the server did not flag ends inconclusive instead of overflowing', () => {
    const defs = definitions([
      flag('a', { groups: [condition([dependsOn('b', true, ['a', 'b'])])] }),
      flag('b', { groups: [condition([dependsOn('a', true, ['b', 'a'])])] }),
    ])
    expect(evaluate(defs, 'a')).toBe('inconclusive')
  })

  test('dependency results are cached and shared through the dependency cache', () => {
    const defs = definitions([flag('base', proOnly), flag('f', { groups: [condition([dependsOn('base', true)])] })])
    const deps = createDependencyCache()
    expect(evaluate(defs, 'f', { person: { plan: 'pro' } }, deps)).toBe(true)
    expect(deps.get('base')).toBe(true)
    // A shared cache answers later evaluations of the same call from the stored result.
    expect(evaluate(defs, 'f', { person: { plan: 'free' } }, deps)).toBe(true)
  })

  test('without a shared cache each evaluation computes its dependencies afresh', () => {
    const defs = definitions([flag('base', proOnly), flag('f', { groups: [condition([dependsOn('base', true)])] })])
    expect(evaluate(defs, 'f', { person: { plan: 'pro' } })).toBe(true)
    expect(evaluate(defs, 'f', { person: { plan: 'free' } })).toBe(false)
  })

  test('a dependency has one value per call in a shared cache, whichever flag asks for it', () => {
    const defs = definitions(
      [
        flag('base', proOnly),
        flag('person-flag', { groups: [condition([dependsOn('base', true)])] }),
        flag('group-flag', { aggregation_group_type_index: 0, groups: [condition([dependsOn('base', true)])] }),
      ],
      {},
      { '0': 'company' }
    )
    const deps = createDependencyCache()
    const who = { person: { plan: 'free' }, groups: { company: 'acme' }, groupProperties: { company: { plan: 'pro' } } }
    expect(evaluate(defs, 'group-flag', who, deps)).toBe(false)
    expect(evaluate(defs, 'person-flag', who, deps)).toBe(false)
    expect(deps.get('base')).toBe(false)
  })
})
