// Property operators, with upstream's coercions.
import { matches, person } from './helpers'

describe('property lookup', () => {
  test('a property missing from the given properties is inconclusive', () => {
    expect(matches(person('email', 'exact', 'a'), {})).toBe('inconclusive')
  })

  test('a null property value is false for every operator but is_not', () => {
    expect(matches(person('email', 'exact', 'null'), { email: null })).toBe(false)
    expect(matches(person('email', 'icontains', 'n'), { email: null })).toBe(false)
    expect(matches(person('email', 'not_regex', 'x'), { email: undefined })).toBe(false)
  })

  test('a null property value is false even for unknown operators', () => {
    expect(matches(person('email', 'semver_gt', '1.0.0'), { email: null })).toBe(false)
  })

  test('a missing operator means exact', () => {
    expect(matches(person('plan', undefined, 'pro'), { plan: 'PRO' })).toBe(true)
    expect(matches(person('plan', '', 'pro'), { plan: 'free' })).toBe(false)
  })
})

describe('exact and is_not', () => {
  test('exact compares string forms ignoring case', () => {
    expect(matches(person('plan', 'exact', 'Pro'), { plan: 'pRO' })).toBe(true)
    expect(matches(person('age', 'exact', 1), { age: '1' })).toBe(true)
    expect(matches(person('beta', 'exact', true), { beta: 'TRUE' })).toBe(true)
    expect(matches(person('plan', 'exact', 'pro'), { plan: 'pro ' })).toBe(false)
  })

  test('exact with an array target matches any element', () => {
    expect(matches(person('country', 'exact', ['us', 'GB', 30]), { country: 'gb' })).toBe(true)
    expect(matches(person('country', 'exact', ['us', 'GB', 30]), { country: 30 })).toBe(true)
    expect(matches(person('country', 'exact', ['us', 'GB']), { country: 'de' })).toBe(false)
    expect(matches(person('country', 'exact', []), { country: '' })).toBe(false)
  })

  test('is_not is the negation of exact, arrays included', () => {
    expect(matches(person('plan', 'is_not', 'PRO'), { plan: 'pro' })).toBe(false)
    expect(matches(person('plan', 'is_not', ['a', 'b']), { plan: 'c' })).toBe(true)
  })

  test('is_not compares a null value as the string "null" and undefined as "undefined"', () => {
    expect(matches(person('plan', 'is_not', 'null'), { plan: null })).toBe(false)
    expect(matches(person('plan', 'is_not', 'null'), { plan: undefined })).toBe(true)
  })
})

describe('is_set and is_not_set', () => {
  test('is_set is true for any present non-null value', () => {
    expect(matches(person('plan', 'is_set', 'is_set'), { plan: '' })).toBe(true)
    expect(matches(person('plan', 'is_set', 'is_set'), { plan: false })).toBe(true)
  })

  test('is_set is true for a present null value (the key is there)', () => {
    expect(matches(person('plan', 'is_set', 'is_set'), { plan: null })).toBe(true)
  })

  test('is_set on a missing property is inconclusive', () => {
    expect(matches(person('plan', 'is_set', 'is_set'), {})).toBe('inconclusive')
  })

  test('is_not_set is decided locally: true when the key is missing, false when it is present', () => {
    expect(matches(person('plan', 'is_not_set', 'is_not_set'), { plan: 'pro' })).toBe(false)
    expect(matches(person('plan', 'is_not_set', 'is_not_set'), { plan: null })).toBe(false)
    expect(matches(person('plan', 'is_not_set', 'is_not_set'), {})).toBe(true)
  })
})

describe('icontains and not_icontains', () => {
  test('icontains finds the target in the value ignoring case', () => {
    expect(matches(person('email', 'icontains', 'PostHog'), { email: 'a@posthog.com' })).toBe(true)
    expect(matches(person('email', 'icontains', 'posthog'), { email: 'a@example.com' })).toBe(false)
  })

  test('icontains coerces both sides to strings', () => {
    expect(matches(person('age', 'icontains', 3), { age: 1234 })).toBe(true)
    expect(matches(person('beta', 'icontains', 'tru'), { beta: true })).toBe(true)
  })

  test('not_icontains is the negation of icontains', () => {
    expect(matches(person('email', 'not_icontains', 'POSTHOG'), { email: 'a@posthog.com' })).toBe(false)
    expect(matches(person('email', 'not_icontains', 'posthog'), { email: 'a@example.com' })).toBe(true)
  })
})

describe('regex and not_regex', () => {
  test('regex matches the value against the target pattern', () => {
    expect(matches(person('email', 'regex', 'posthog\\.com$'), { email: 'a@posthog.com' })).toBe(true)
    expect(matches(person('email', 'regex', '^b'), { email: 'a@posthog.com' })).toBe(false)
  })

  test('regex is case-sensitive (no flags)', () => {
    expect(matches(person('plan', 'regex', '^pro$'), { plan: 'PRO' })).toBe(false)
  })

  test('regex matches the string form of non-string values', () => {
    expect(matches(person('age', 'regex', '^\\d+$'), { age: 42 })).toBe(true)
  })

  test('an invalid regex pattern is false for regex', () => {
    expect(matches(person('plan', 'regex', '['), { plan: '[' })).toBe(false)
  })

  test('an invalid regex pattern is false for not_regex too', () => {
    expect(matches(person('plan', 'not_regex', '('), { plan: 'anything' })).toBe(false)
  })

  test('not_regex is true when the valid pattern does not match', () => {
    expect(matches(person('plan', 'not_regex', '^pro'), { plan: 'free' })).toBe(true)
    expect(matches(person('plan', 'not_regex', '^pro'), { plan: 'pro' })).toBe(false)
  })
})

describe('gt, gte, lt, lte', () => {
  test('numbers compare numerically against a numeric target', () => {
    expect(matches(person('age', 'gt', 30), { age: 31 })).toBe(true)
    expect(matches(person('age', 'gte', 30), { age: 30 })).toBe(true)
    expect(matches(person('age', 'lt', 30), { age: 30 })).toBe(false)
    expect(matches(person('age', 'lte', 30), { age: 30 })).toBe(true)
  })

  test('a numeric-string target is parsed for number values', () => {
    expect(matches(person('age', 'lt', '100'), { age: 30 })).toBe(true)
    expect(matches(person('age', 'gt', '123aloha'), { age: 129 })).toBe(true)
    expect(matches(person('age', 'gt', '123aloha'), { age: 122 })).toBe(false)
  })

  test('numeric strings compare as numbers, on either side', () => {
    expect(matches(person('age', 'gt', 1), { age: '23' })).toBe(true)
    expect(matches(person('age', 'lt', 100), { age: '30' })).toBe(true)
    expect(matches(person('age', 'lt', '100'), { age: '30' })).toBe(true)
    expect(matches(person('age', 'gt', '9'), { age: '10' })).toBe(true)
    expect(matches(person('age', 'gt', '123aloha'), { age: '123' })).toBe(false)
  })

  test('when either side is not a finite number the comparison is on strings (no NaN comparison)', () => {
    expect(matches(person('age', 'gt', 'abc'), { age: 5 })).toBe(false)
    expect(matches(person('age', 'lte', 'abc'), { age: 5 })).toBe(true)
    expect(matches(person('beta', 'gte', true), { beta: 'true' })).toBe(true)
    expect(matches(person('beta', 'gt', 0), { beta: false })).toBe(true)
  })

  test('an array target compares by its text, numerically when that is a number', () => {
    expect(matches(person('age', 'gt', ['5']), { age: 6 })).toBe(true)
    expect(matches(person('age', 'gt', ['5']), { age: 10 })).toBe(true)
    expect(matches(person('age', 'gt', ['5']), { age: 4 })).toBe(false)
  })
})

describe('unknown operators', () => {
  test.each(['in', 'not_in', 'flag_evaluates_to', 'whatever'])('%s is inconclusive', (operator) => {
    expect(matches(person('plan', operator, 'pro'), { plan: 'pro' })).toBe('inconclusive')
  })

  test('a non-string operator is unknown', () => {
    expect(matches(person('plan', 7 as unknown as string, 'pro'), { plan: 'pro' })).toBe('inconclusive')
  })
})

describe('negation at flag level', () => {
  test('negation on a flag-level person property is ignored', () => {
    expect(matches(person('plan', 'exact', 'pro', { negation: true }), { plan: 'pro' })).toBe(true)
  })
})
