// A seeded generator of local-evaluation scenarios: a `local_evaluation` response body (flags, group type mapping,
// cohorts) and the people and groups to evaluate it for. Same seed, same scenario, so a failure can be replayed.
//
// Shapes covered: every operator (5.13.2's, the text, `semver_*` ones and unknown ones) with mixed target and
// property types (long values too), regex targets with nested quantifiers and repeated alternations, missing and
// null properties, rollouts (incl. 0, 100, fractional, null), multivariate flags with valid and invalid overrides, group flags (mapped, unmapped, asked without their group), condition-level group
// targeting, `early_exit`, `bucketing_identifier`, cohorts (nested, negated, AND/OR, cohort-in-cohort, flag
// leaves, static cohorts), flag dependencies (good, short, empty, missing and broken chains, inactive and missing
// dependencies), inactive, deleted and continuity flags, payloads of every kind. With `malformed`, also what no
// server sends but a cache can hold: properties without a key, null or not objects, conditions that are not
// objects, variants without a key or null, cohorts referencing cohorts the set does not have, flags without
// `filters`.
//
// Deliberately not generated (upstream's answer depends on its promise scheduling or on prototype keys): cyclic
// cohorts or dependencies, flag entries that are not objects (5.50.0 then drops the whole set; this package only
// that entry), property or flag keys that are Object.prototype members, and date values within seconds of a
// relative boundary.

export type Rng = () => number

/** mulberry32: small, fast, good enough for test data. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]
const chance = (rng: Rng, p: number): boolean => rng() < p
const int = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1))

const DAY = 86400000
const NOW = Date.now()
const isoDaysAgo = (days: number): string => new Date(NOW - days * DAY).toISOString()

const PERSON_KEYS = [
  'email',
  'age',
  'plan',
  'country',
  'signup',
  'score',
  'beta',
  'name',
  'tags',
  'distinct_id',
  '$device_id',
]
const GROUP_KEYS = ['$group_key', 'size', 'industry', 'created', 'tier', 'name']

/** Property values as users pass them: strings, numeric strings, numbers, booleans, null, arrays, dates. */
function propertyValue(rng: Rng, key: string): unknown {
  switch (int(rng, 0, 10)) {
    case 0:
      return pick(rng, [null, undefined, '', 'null', 'undefined'])
    case 10:
      return pick(rng, LONG_VALUES)
    case 1:
      return pick(rng, [true, false, 'true', 'false', 'True'])
    case 2:
      return pick(rng, [0, 1, 5, 23, 30, 100, 123, 129, -1, 1.5, 1e21, NaN])
    case 3:
      return pick(rng, ['0', '1', '23', '30', '100', '123aloha', '1.5', ' 7', 'abc', '1e3'])
    case 4:
      return pick(rng, ['a@posthog.com', 'B@PostHog.com', 'someone@example.com', 'x@example.org', 'POSTHOG'])
    case 5:
      return pick(rng, ['free', 'pro', 'Enterprise', 'US', 'us', 'GB', 'de', 'Ünïcödé', '😀 emoji'])
    case 6:
      return pick(rng, [isoDaysAgo(3), isoDaysAgo(40), isoDaysAgo(400), '2022-04-05 12:34:12 +01:00', '2020-01-01'])
    case 7:
      return pick(rng, [NOW - 3 * DAY, NOW - 40 * DAY, 'not a date', new Date(NOW - 10 * DAY), new Date(NaN)])
    case 8:
      return chance(rng, 0.5) ? pick(rng, [['pro', 'free'], [1, 2], [], [null], { plan: 'pro' }]) : pick(rng, VERSIONS)
    default:
      return key === 'email' ? pick(rng, ['a@posthog.com', 'z@posthog.com']) : pick(rng, ['pro', 30, '30', 'US'])
  }
}

/**
 * Values long enough that only the linear-time engine may match them against most patterns. Each is one on which
 * the backtracking engine upstream uses still finishes quickly with every generated pattern (it matches early or
 * fails at once), so upstream has an answer to compare with.
 */
const LONG_VALUES = [
  'a'.repeat(20000),
  'USGB'.repeat(5000),
  `${'www.'.repeat(3000)}posthog.com`,
  `${'ab.'.repeat(5000)}com`,
  `${'x'.repeat(30000)}@posthog.com`,
]

/**
 * Regex targets: ordinary ones, invalid ones, and ones JavaScript's engine could backtrack on exponentially
 * (nested quantifiers, repeated alternations), which this package matches with a linear-time engine.
 */
const REGEX_TARGETS = [
  '^a',
  'posthog\\.com$',
  '[',
  '(?<x>p)ro',
  '\\d+',
  'US|GB',
  '^$',
  '(',
  'tru',
  1,
  '.*',
  '^(a+)+$',
  '^(a|aa)*$',
  '(US|GB)+',
  '^(US|GB)+$',
  '^(\\w+\\.)+com$',
  '^([a-z]+\\.)*posthog\\.com$',
  '(x+)+@',
  '^(?:[a-z]|\\d)+$',
]

const OPERATORS = [
  'exact',
  'is_not',
  'is_set',
  'is_not_set',
  'icontains',
  'not_icontains',
  'regex',
  'not_regex',
  'gt',
  'gte',
  'lt',
  'lte',
  'is_date_before',
  'is_date_after',
  'starts_with',
  'not_starts_with',
  'ends_with',
  'not_ends_with',
  'semver_eq',
  'semver_neq',
  'semver_gt',
  'semver_gte',
  'semver_lt',
  'semver_lte',
  'semver_tilde',
  'semver_caret',
  'semver_wildcard',
] as const

const VERSIONS = [
  '1.2.3',
  'v1.2.3',
  '1.2',
  '1',
  '0.0.4',
  '01.2.3',
  '1.02',
  '2.0.0-beta+b1',
  '1.2.3.4',
  '',
  'x.y',
  ' 1.10.0 ',
  '.1',
  10,
]

function targetFor(rng: Rng, operator: string): unknown {
  switch (operator) {
    case 'exact':
    case 'is_not':
      return chance(rng, 0.4)
        ? pick(rng, [['pro', 'Free'], ['us', 'GB', 30], [true, 'null'], ['a@posthog.com'], []])
        : pick(rng, ['pro', 'PRO', 'us', 30, '30', true, 'true', 'null', null, 'a@posthog.com', '', 1.5])
    case 'icontains':
    case 'not_icontains':
      return pick(rng, ['posthog', 'PostHog.com', 'ex', '', 'tru', 3, 'null', ['a']])
    case 'regex':
    case 'not_regex':
      return pick(rng, REGEX_TARGETS)
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return pick(rng, [1, 23, 30, 100, '30', '100', '123aloha', 'abc', 1.5, true, ['5'], null, -1, '2022-01-01'])
    case 'starts_with':
    case 'not_starts_with':
    case 'ends_with':
    case 'not_ends_with':
      return pick(rng, ['a@', 'POST', '.com', 'Pro', '', 3, 'ü', ['a']])
    case 'semver_wildcard':
      return pick(rng, ['1.*', '1.2.*', '1', '0.*', '*', 'v2.*', '01.*', 'x.*'])
    case 'semver_eq':
    case 'semver_neq':
    case 'semver_gt':
    case 'semver_gte':
    case 'semver_lt':
    case 'semver_lte':
    case 'semver_tilde':
    case 'semver_caret':
      return pick(rng, VERSIONS)
    case 'is_date_before':
    case 'is_date_after':
      return pick(rng, [
        '7d',
        '-7d',
        '1h',
        '2w',
        '1m',
        '-1y',
        '000h',
        '1s',
        '1x',
        '10000d',
        'bazinga',
        '2024-01-01',
        '2022-04-05 12:34:12 +01:00',
        NOW - 20 * DAY,
        true,
        null,
        ['7d'],
      ])
    default:
      return pick(rng, ['pro', 30, ['a', 'b']])
  }
}

/** Property entries no server sends but a cache can hold: no key, null, not an object. */
function malformedProperty(rng: Rng): unknown {
  return pick(rng, [{ value: 'pro', operator: 'exact', type: 'person' }, { key: 'plan' }, null, 'plan', 7])
}

function personOrGroupProperty(rng: Rng, keys: readonly string[]): Record<string, unknown> {
  const roll = rng()
  const operator =
    roll < 0.05
      ? pick(rng, ['in', 'not_in', 'semver_gt', 'flag_evaluates_to', 'unknown_op'])
      : roll < 0.1
        ? pick(rng, [undefined, null, ''])
        : pick(rng, OPERATORS)
  const key = chance(rng, 0.05) ? 'missing_everywhere' : pick(rng, keys)
  const property: Record<string, unknown> = { key, value: targetFor(rng, operator ?? 'exact'), type: 'person' }
  if (operator !== undefined) property.operator = operator
  if (chance(rng, 0.15)) property.negation = true
  if (chance(rng, 0.1)) delete property.type
  return property
}

interface FlagPlan {
  key: string
  groupTypeIndex: number | null
  /** Keys of flags this flag's conditions depend on. */
  dependsOn: string[]
}

function variantsFor(rng: Rng, malformed: boolean): { key: string; rollout_percentage: number }[] | null {
  if (!chance(rng, 0.4)) return null
  const count = int(rng, 0, 5)
  const variants = []
  const layouts = [
    [50, 20, 20, 5, 5],
    [34, 33, 33],
    [50, 50],
    [10, 10, 10],
    [25, 25, 25, 25],
    [33.3, 33.3, 33.4],
    [70, 50],
  ]
  const layout = pick(rng, layouts)
  for (let i = 0; i < count; i++) {
    variants.push({ key: chance(rng, 0.03) ? '' : `variant-${i}`, rollout_percentage: layout[i] ?? int(rng, 0, 30) })
  }
  if (malformed && variants.length > 0 && chance(rng, 0.1)) {
    variants[int(rng, 0, variants.length - 1)] = pick(rng, [
      { rollout_percentage: 30 },
      { key: 'variant-x' },
      null,
    ]) as never
  }
  return variants
}

function payloadsFor(rng: Rng, variants: { key: string }[] | null): Record<string, unknown> | undefined {
  if (!chance(rng, 0.6)) return undefined
  const payloadValue = (): unknown =>
    pick(rng, ['{"a":1}', '"text"', 'not json', '', '0', '12', 'null', '[1,2]', { direct: true }, 7, 0, false])
  const payloads: Record<string, unknown> = {}
  if (chance(rng, 0.8)) payloads.true = payloadValue()
  for (const variant of variants ?? [])
    if (variant?.key !== undefined && chance(rng, 0.7)) payloads[variant.key] = payloadValue()
  return payloads
}

/** A cohort's property group; only cohorts with a smaller id may be referenced, so there are no cycles. */
function cohortGroup(
  rng: Rng,
  id: number,
  depth: number,
  malformed: boolean,
  firstFlag: string
): Record<string, unknown> {
  const type = chance(rng, 0.5) ? 'AND' : 'OR'
  if (depth < 2 && chance(rng, 0.4)) {
    const children = []
    for (let i = int(rng, 0, 3); i > 0; i--) children.push(cohortGroup(rng, id, depth + 1, malformed, firstFlag))
    return { type, values: children }
  }
  const leaves = []
  for (let i = int(rng, 0, 3); i > 0; i--) {
    const roll = rng()
    if (roll < 0.15 && id > 1) {
      leaves.push({ key: 'id', type: 'cohort', value: int(rng, 1, id - 1), negation: chance(rng, 0.3) })
    } else if (roll < 0.2) {
      leaves.push({ key: 'static', type: 'cohort', value: 900 + int(rng, 0, 2) })
    } else if (roll < 0.25) {
      leaves.push({ key: 'some-flag', type: 'flag', value: true, operator: 'flag_evaluates_to', dependency_chain: [] })
    } else if (roll < 0.28) {
      // A flag dependency inside a cohort: only on the first flag, which never uses cohorts (no cycles).
      const chain = chance(rng, 0.8) ? [firstFlag] : []
      leaves.push({
        key: firstFlag,
        type: 'flag',
        value: pick(rng, [true, false, 'variant-0']),
        operator: 'flag_evaluates_to',
        dependency_chain: chain,
      })
    } else if (roll < 0.32 && malformed) {
      leaves.push(pick(rng, [{ value: 'x', operator: 'exact' }, null, { key: 'id', type: 'cohort', value: 55 }]))
    } else {
      leaves.push(personOrGroupProperty(rng, PERSON_KEYS))
    }
  }
  return { type, values: leaves }
}

export interface Context {
  distinctId: string
  groups?: Record<string, string | number>
  personProperties?: Record<string, unknown>
  groupProperties?: Record<string, Record<string, unknown>>
}

export interface Scenario {
  seed: number
  body: {
    flags: Record<string, unknown>[]
    group_type_mapping: Record<string, string>
    cohorts: Record<string, unknown>
  }
  contexts: Context[]
  /** Flag keys to ask about: every defined key and one that is not defined. */
  keys: string[]
}

/** The plan of a flag, or a stand-in for a key that is not defined. */
const planFor = (plans: Map<string, FlagPlan>, key: string): FlagPlan =>
  plans.get(key) ?? { key, groupTypeIndex: null, dependsOn: [] }

function dependencyProperty(rng: Rng, target: FlagPlan, plans: Map<string, FlagPlan>): Record<string, unknown> {
  // The chain the server sends: every transitive dependency before its dependents, the target last.
  const chain: string[] = []
  const visit = (key: string): void => {
    const plan = plans.get(key)
    for (const dependency of plan?.dependsOn ?? []) visit(dependency)
    if (!chain.includes(key)) chain.push(key)
  }
  visit(target.key)
  const roll = rng()
  const property: Record<string, unknown> = {
    key: target.key,
    type: 'flag',
    operator: 'flag_evaluates_to',
    value: pick(rng, [true, true, false, 'variant-0', 'variant-1', 'other', 1, ['variant-0']]),
  }
  if (roll < 0.06) return property // no dependency_chain
  if (roll < 0.1) property.dependency_chain = []
  else if (roll < 0.13) property.dependency_chain = 'broken'
  else if (roll < 0.18) property.dependency_chain = ['not-a-flag', ...chain]
  else if (roll < 0.25) property.dependency_chain = [target.key]
  else property.dependency_chain = chain
  return property
}

function generateFlag(
  rng: Rng,
  plan: FlagPlan,
  plans: Map<string, FlagPlan>,
  cohortIds: number[],
  options: ScenarioOptions
): Record<string, unknown> {
  const variants = variantsFor(rng, !!options.malformed)
  const conditions = []
  const isGroup = plan.groupTypeIndex !== null
  const keys = isGroup ? GROUP_KEYS : PERSON_KEYS
  const conditionCount = chance(rng, 0.05) ? 0 : int(rng, 1, 3)
  const dependencies = [...plan.dependsOn]
  for (let c = 0; c < conditionCount; c++) {
    const properties = []
    for (let p = int(rng, 0, 3); p > 0; p--) {
      const roll = rng()
      if (roll < 0.15 && cohortIds.length > 0) {
        properties.push({
          key: 'id',
          type: 'cohort',
          value: chance(rng, 0.5) ? pick(rng, cohortIds) : String(pick(rng, cohortIds)),
          operator: pick(rng, ['in', 'not_in', undefined]),
          negation: chance(rng, 0.2),
        })
      } else if (roll < 0.18 && cohortIds.length > 0) {
        properties.push({ key: 'id', type: 'cohort', value: 999 }) // static cohort
      } else if (dependencies.length > 0 && roll < 0.4) {
        properties.push(dependencyProperty(rng, planFor(plans, dependencies.shift() as string), plans))
      } else if (roll < 0.43 && options.malformed) {
        properties.push(malformedProperty(rng))
      } else if (roll < 0.46 && cohortIds.length > 0 && options.malformed) {
        properties.push({ key: 'id', type: 'cohort', value: 77, operator: 'in' }) // a cohort the set does not have
      } else {
        properties.push(personOrGroupProperty(rng, keys))
      }
    }
    const rollout = pick(rng, [
      null,
      undefined,
      0,
      100,
      100,
      50,
      45,
      12.5,
      99.9,
      int(rng, 0, 100),
      '50',
      -5,
      150,
      'half',
    ])
    const condition: Record<string, unknown> = { properties: chance(rng, 0.05) ? null : properties }
    if (rollout !== undefined) condition.rollout_percentage = rollout
    if (chance(rng, 0.25)) condition.variant = pick(rng, ['variant-0', 'variant-1', 'variant-9', null, ''])
    // Condition-level group targeting (mixed flags): a group type, a type not in the mapping, or explicitly none.
    if (!isGroup && chance(rng, 0.12)) condition.aggregation_group_type_index = pick(rng, [0, 1, 5, null])
    if (options.malformed && chance(rng, 0.04)) conditions.push(pick(rng, [null, 'condition', 3, []]))
    else conditions.push(condition)
  }
  // Dependencies not placed yet go into a last condition of their own, so every planned edge exists.
  if (dependencies.length > 0) {
    conditions.push({
      properties: dependencies.map((key) => dependencyProperty(rng, planFor(plans, key), plans)),
      rollout_percentage: 100,
    })
  }
  const filters: Record<string, unknown> = {
    groups: conditions,
    multivariate: variants ? { variants } : null,
    aggregation_group_type_index: plan.groupTypeIndex,
  }
  const payloads = payloadsFor(rng, variants)
  if (payloads) filters.payloads = payloads
  if (chance(rng, 0.03)) filters.groups = null
  if (chance(rng, 0.1)) filters.early_exit = true
  const flag: Record<string, unknown> = {
    id: int(rng, 1, 100000),
    name: plan.key,
    key: plan.key,
    active: !chance(rng, 0.1),
    deleted: chance(rng, 0.05),
    ensure_experience_continuity: chance(rng, 0.05),
    rollout_percentage: null,
    experiment_set: [],
    filters: chance(rng, 0.02) ? null : filters,
  }
  if (!isGroup && chance(rng, 0.1)) flag.bucketing_identifier = pick(rng, ['device_id', 'distinct_id'])
  if (options.malformed && chance(rng, 0.04)) delete flag.filters
  return flag
}

function generateContext(rng: Rng, index: number): Context {
  const context: Context = { distinctId: chance(rng, 0.2) ? pick(rng, ['user-1', 'user-2', '']) : `user-${index}` }
  if (chance(rng, 0.85)) {
    const properties: Record<string, unknown> = {}
    for (const key of PERSON_KEYS) if (chance(rng, 0.55)) properties[key] = propertyValue(rng, key)
    context.personProperties = properties
  }
  if (chance(rng, 0.7)) {
    const groups: Record<string, string | number> = {}
    for (const type of ['company', 'project', 'team']) {
      if (chance(rng, 0.6)) groups[type] = chance(rng, 0.15) ? int(rng, 1, 50) : `${type}-${int(rng, 1, 50)}`
    }
    context.groups = groups
  }
  if (chance(rng, 0.7)) {
    const groupProperties: Record<string, Record<string, unknown>> = {}
    for (const type of ['company', 'project', 'team']) {
      if (!chance(rng, 0.6)) continue
      const properties: Record<string, unknown> = {}
      for (const key of GROUP_KEYS) if (chance(rng, 0.5)) properties[key] = propertyValue(rng, key)
      groupProperties[type] = properties
    }
    context.groupProperties = groupProperties
  }
  return context
}

export interface ScenarioOptions {
  contexts?: number
  /** Let group flags have flag dependencies too. */
  groupDependencies?: boolean
  /** Also generate parts no server sends (see {@link malformedProperty} and its callers). */
  malformed?: boolean
}

export function generateScenario(seed: number, options: ScenarioOptions = {}): Scenario {
  const contextCount = options.contexts ?? 12
  const rng = createRng(seed)
  const flagCount = int(rng, 1, 14)
  const plans = new Map<string, FlagPlan>()
  const order: FlagPlan[] = []
  for (let i = 0; i < flagCount; i++) {
    const groupTypeIndex = chance(rng, 0.25) ? pick(rng, [0, 1, 2]) : null
    const plan: FlagPlan = { key: `flag-${seed}-${i}`, groupTypeIndex, dependsOn: [] }
    // Dependencies point at earlier flags only (the server rejects cycles); only person flags have them unless
    // asked otherwise.
    if ((groupTypeIndex === null || options.groupDependencies) && i > 0) {
      for (let d = int(rng, 0, 2); d > 0; d--) {
        const target = order[int(rng, 0, i - 1)].key
        if (!plan.dependsOn.includes(target)) plan.dependsOn.push(target)
      }
      if (chance(rng, 0.05)) plan.dependsOn.push(`ghost-${seed}`)
    }
    plans.set(plan.key, plan)
    order.push(plan)
  }
  const cohorts: Record<string, unknown> = {}
  const cohortIds: number[] = []
  for (let id = 1, count = int(rng, 0, 4); id <= count; id++) {
    cohorts[String(id)] = cohortGroup(rng, id, 0, !!options.malformed, `flag-${seed}-0`)
    cohortIds.push(id)
  }
  const flags = order.map((plan, index) => generateFlag(rng, plan, plans, index === 0 ? [] : cohortIds, options))
  const contexts = []
  for (let i = 0; i < contextCount; i++) contexts.push(generateContext(rng, i))
  return {
    seed,
    body: { flags, group_type_mapping: { '0': 'company', '1': 'project' }, cohorts },
    contexts,
    keys: [...order.map((plan) => plan.key), `unknown-${seed}`],
  }
}
