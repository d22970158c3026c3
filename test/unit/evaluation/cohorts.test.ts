// Cohorts and property groups.
import { condition, definitions, evaluate, flag, person, type Json } from './helpers'

const cohortProperty = (id: unknown, extra: Json = {}): Json => ({ key: 'id', type: 'cohort', value: id, ...extra })

/** A flag whose only condition is "in cohort `id`", evaluated for these person properties. */
function inCohort(cohorts: Json, personProperties: Json, id: unknown = 1, extra: Json = {}): unknown {
  const defs = definitions([flag('f', { groups: [condition([cohortProperty(id, extra)])] })], cohorts)
  return evaluate(defs, 'f', { person: personProperties })
}

const pro = person('plan', 'exact', 'pro')
const us = person('country', 'exact', 'us')

describe('leaf groups', () => {
  test('an AND cohort matches when every property matches', () => {
    const cohorts = { '1': { type: 'AND', values: [pro, us] } }
    expect(inCohort(cohorts, { plan: 'pro', country: 'us' })).toBe(true)
    expect(inCohort(cohorts, { plan: 'pro', country: 'de' })).toBe(false)
  })

  test('an OR cohort matches when any property matches', () => {
    const cohorts = { '1': { type: 'OR', values: [pro, us] } }
    expect(inCohort(cohorts, { plan: 'free', country: 'us' })).toBe(true)
    expect(inCohort(cohorts, { plan: 'free', country: 'de' })).toBe(false)
  })

  test('a group type other than AND behaves as OR', () => {
    expect(inCohort({ '1': { type: 'XOR', values: [pro, us] } }, { plan: 'pro', country: 'de' })).toBe(true)
  })

  test('negation inverts a property inside a cohort', () => {
    const cohorts = { '1': { type: 'AND', values: [{ ...pro, negation: true }] } }
    expect(inCohort(cohorts, { plan: 'free' })).toBe(true)
    expect(inCohort(cohorts, { plan: 'pro' })).toBe(false)
  })

  test('negation inverts a property inside an OR cohort', () => {
    const cohorts = { '1': { type: 'OR', values: [{ ...pro, negation: true }, us] } }
    expect(inCohort(cohorts, { plan: 'free', country: 'de' })).toBe(true)
  })

  test('an OR cohort with a missing property still matches through another property', () => {
    const cohorts = { '1': { type: 'OR', values: [pro, us] } }
    expect(inCohort(cohorts, { country: 'us' })).toBe(true)
  })

  test('an OR cohort where nothing matches and something was missing is inconclusive', () => {
    const cohorts = { '1': { type: 'OR', values: [pro, us] } }
    expect(inCohort(cohorts, { country: 'de' })).toBe('inconclusive')
  })

  test('an AND cohort with a non-matching property is false even if another is missing', () => {
    const cohorts = { '1': { type: 'AND', values: [pro, us] } }
    expect(inCohort(cohorts, { country: 'de' })).toBe(false)
  })

  test('flag properties inside a cohort are flag dependencies', () => {
    const flagLeaf = {
      key: 'other',
      type: 'flag',
      value: true,
      operator: 'flag_evaluates_to',
      dependency_chain: ['other'],
    }
    const cohorts = { '1': { type: 'AND', values: [flagLeaf, pro] } }
    const defs = definitions(
      [
        flag('other', { groups: [condition([person('email', 'icontains', 'posthog')])] }),
        flag('f', { groups: [condition([cohortProperty(1)])] }),
      ],
      cohorts
    )
    expect(evaluate(defs, 'f', { person: { plan: 'pro', email: 'a@posthog.com' } })).toBe(true)
    expect(evaluate(defs, 'f', { person: { plan: 'pro', email: 'a@example.com' } })).toBe(false)
  })

  test('a flag property inside a cohort without a usable chain makes the cohort inconclusive', () => {
    const flagLeaf = { key: 'other', type: 'flag', value: true, operator: 'flag_evaluates_to' }
    expect(inCohort({ '1': { type: 'AND', values: [flagLeaf, pro] } }, { plan: 'pro' })).toBe('inconclusive')
  })

  test('an empty cohort matches everyone', () => {
    expect(inCohort({ '1': { type: 'AND', values: [] } }, {})).toBe(true)
    expect(inCohort({ '1': { type: 'OR', values: [] } }, {})).toBe(true)
  })
})

describe('nested groups', () => {
  test('nested groups combine with the outer type', () => {
    const cohorts = {
      '1': {
        type: 'OR',
        values: [
          { type: 'AND', values: [pro, us] },
          { type: 'AND', values: [person('plan', 'exact', 'enterprise')] },
        ],
      },
    }
    expect(inCohort(cohorts, { plan: 'enterprise', country: 'de' })).toBe(true)
    expect(inCohort(cohorts, { plan: 'pro', country: 'de' })).toBe(false)
  })

  test('the first element decides: after a group, a property-like element is read as an empty group', () => {
    const cohorts = { '1': { type: 'AND', values: [{ type: 'AND', values: [us] }, pro] } }
    // `pro` would fail, but as a group without values it matches everyone.
    expect(inCohort(cohorts, { plan: 'free', country: 'us' })).toBe(true)
  })

  test('an inconclusive nested group is remembered while later groups still decide', () => {
    const cohorts = {
      '1': {
        type: 'OR',
        values: [
          { type: 'AND', values: [pro] },
          { type: 'AND', values: [us] },
        ],
      },
    }
    expect(inCohort(cohorts, { country: 'us' })).toBe(true)
    expect(inCohort(cohorts, { country: 'de' })).toBe('inconclusive')
  })
})

describe('cohort references', () => {
  test('a cohort can contain another cohort', () => {
    const cohorts = { '1': { type: 'AND', values: [cohortProperty(2), us] }, '2': { type: 'AND', values: [pro] } }
    expect(inCohort(cohorts, { plan: 'pro', country: 'us' })).toBe(true)
    expect(inCohort(cohorts, { plan: 'free', country: 'us' })).toBe(false)
  })

  test('negation applies to a nested cohort reference', () => {
    const cohorts = {
      '1': { type: 'AND', values: [cohortProperty(2, { negation: true })] },
      '2': { type: 'AND', values: [pro] },
    }
    expect(inCohort(cohorts, { plan: 'free' })).toBe(true)
  })

  test('cohort ids are matched by their string form', () => {
    expect(inCohort({ '7': { type: 'AND', values: [pro] } }, { plan: 'pro' }, '7')).toBe(true)
    expect(inCohort({ '7': { type: 'AND', values: [pro] } }, { plan: 'pro' }, 7)).toBe(true)
  })

  test('a cohort missing from the local map (static cohort) requires the server', () => {
    expect(inCohort({}, { plan: 'pro' }, 42)).toBe('requires-server')
  })

  test('a static cohort nested in a local cohort requires the server', () => {
    expect(inCohort({ '1': { type: 'AND', values: [cohortProperty(99)] } }, {})).toBe('requires-server')
  })

  test('a static cohort stops the whole flag even when a later condition would match', () => {
    const defs = definitions([flag('f', { groups: [condition([cohortProperty(99)]), condition([], 100)] })])
    expect(evaluate(defs, 'f')).toBe('requires-server')
  })

  test('an earlier condition that matches wins before a static cohort is reached', () => {
    const defs = definitions([flag('f', { groups: [condition([], 100), condition([cohortProperty(99)])] })])
    expect(evaluate(defs, 'f')).toBe(true)
  })

  test('a flag-level cohort property with operator not_in matches everyone outside the cohort', () => {
    const cohorts = { '1': { type: 'AND', values: [pro] } }
    expect(inCohort(cohorts, { plan: 'pro' }, 1, { operator: 'not_in' })).toBe(false)
    expect(inCohort(cohorts, { plan: 'free' }, 1, { operator: 'not_in' })).toBe(true)
    expect(inCohort(cohorts, { plan: 'free' }, 1, { operator: 'in' })).toBe(false)
  })

  test('not_in on a cohort that cannot be decided stays inconclusive', () => {
    const cohorts = { '1': { type: 'AND', values: [pro] } }
    expect(inCohort(cohorts, {}, 1, { operator: 'not_in' })).toBe('inconclusive')
  })

  test('flag-level negation of a cohort property is not read', () => {
    const cohorts = { '1': { type: 'AND', values: [pro] } }
    expect(inCohort(cohorts, { plan: 'pro' }, 1, { negation: true })).toBe(true)
  })

  test('a circular cohort reference is an error, not a hang', () => {
    const cohorts = {
      '1': { type: 'AND', values: [cohortProperty(2)] },
      '2': { type: 'AND', values: [cohortProperty(1)] },
    }
    expect(inCohort(cohorts, {})).toBe('error')
  })
})
