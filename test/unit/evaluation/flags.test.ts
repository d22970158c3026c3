// Flag-level steps: continuity, active, deleted, group aggregation, unknown keys.
import { condition, definitions, evaluate, flag, person } from './helpers'

const everyone = { groups: [condition([], 100)] }

describe('flag-level steps', () => {
  test('an unknown key has no outcome', () => {
    expect(evaluate(definitions([flag('f', everyone)]), 'other')).toBeUndefined()
  })

  test('an inactive flag is false', () => {
    expect(evaluate(definitions([flag('f', everyone, { active: false })]), 'f')).toBe(false)
  })

  test('a deleted but active flag still evaluates', () => {
    expect(evaluate(definitions([flag('f', everyone, { deleted: true })]), 'f')).toBe(true)
  })

  test('a flag with experience continuity is inconclusive', () => {
    expect(evaluate(definitions([flag('f', everyone, { ensure_experience_continuity: true })]), 'f')).toBe(
      'inconclusive'
    )
  })

  test('an inactive flag is false even with experience continuity', () => {
    const defs = definitions([flag('f', everyone, { ensure_experience_continuity: true, active: false })])
    expect(evaluate(defs, 'f')).toBe(false)
  })

  test('an active flag with experience continuity is inconclusive', () => {
    const defs = definitions([flag('f', everyone, { ensure_experience_continuity: true })])
    expect(evaluate(defs, 'f')).toBe('inconclusive')
  })

  test('the top-level rollout_percentage is ignored', () => {
    expect(evaluate(definitions([flag('f', everyone, { rollout_percentage: 0 })]), 'f')).toBe(true)
  })

  test('the last definition of a repeated key is the one evaluated', () => {
    const defs = definitions([flag('f', everyone), flag('f', everyone, { active: false })])
    expect(evaluate(defs, 'f')).toBe(false)
    expect(defs.keys).toEqual(['f'])
  })
})

describe('group flags', () => {
  const mapping = { '0': 'company', '1': 'project' }
  const companyFlag = (filters: Record<string, unknown>) =>
    definitions([flag('g', { aggregation_group_type_index: 0, ...filters })], {}, mapping)

  test('a group flag is evaluated on the group properties of its group type', () => {
    const defs = companyFlag({ groups: [condition([person('size', 'gt', 10)])] })
    expect(evaluate(defs, 'g', { groups: { company: 'acme' }, groupProperties: { company: { size: 50 } } })).toBe(true)
    expect(evaluate(defs, 'g', { groups: { company: 'acme' }, groupProperties: { company: { size: 5 } } })).toBe(false)
  })

  test('a group flag does not read person properties', () => {
    const defs = companyFlag({ groups: [condition([person('plan', 'exact', 'pro')])] })
    expect(evaluate(defs, 'g', { groups: { company: 'acme' }, person: { plan: 'pro' } })).toBe('inconclusive')
  })

  test('a group flag can match the $group_key the client adds', () => {
    const defs = companyFlag({ groups: [condition([person('$group_key', 'exact', 'acme')])] })
    expect(evaluate(defs, 'g', { groups: { company: 'acme' } })).toBe(true)
  })

  test('a group flag asked without its group is false', () => {
    const defs = companyFlag(everyone)
    expect(evaluate(defs, 'g', { groups: { project: 'p1' } })).toBe(false)
    expect(evaluate(defs, 'g')).toBe(false)
  })

  test('a group flag whose type index is not in the mapping is inconclusive', () => {
    const defs = definitions([flag('g', { aggregation_group_type_index: 5, ...everyone })], {}, mapping)
    expect(evaluate(defs, 'g', { groups: { company: 'acme' } })).toBe('inconclusive')
  })

  test('a null aggregation index means a person flag', () => {
    const defs = definitions([flag('f', { aggregation_group_type_index: null, ...everyone })], {}, mapping)
    expect(evaluate(defs, 'f')).toBe(true)
  })

  test('a group flag is bucketed by the group key, not the distinct id', () => {
    const defs = companyFlag({ groups: [condition([], 50)] })
    const byKey = Array.from({ length: 20 }, (_, i) => evaluate(defs, 'g', { groups: { company: `c${i}` } }))
    const sameKeyOtherPeople = Array.from({ length: 20 }, (_, i) =>
      evaluate(defs, 'g', { distinctId: `person-${i}`, groups: { company: 'c0' } })
    )
    expect(new Set(byKey)).toEqual(new Set([true, false]))
    expect(new Set(sameKeyOtherPeople).size).toBe(1)
  })
})
