// How the client turns evaluator outcomes into answers: values are used, inconclusive and server-required outcomes
// fall back, unexpected errors are reported with upstream's message prefix. Runs the real evaluator on prepared
// definitions; only the poller is replaced, by the narrow source LocalFlags reads.
import { LocalFlags, type DefinitionsSource } from '../../../src/client/local-flags'
import { validateFlagDefinitions } from '../../../src/definitions/validate'
import { prepareDefinitions, type EvaluationInput } from '../../../src/evaluation'
import { cacheDefinitions, flagDefinition, ON_FOR_EVERYONE } from '../../helpers/definitions'

const personCondition = (key: string) => ({
  groups: [{ properties: [{ key, type: 'person', operator: 'exact', value: 'yes' }], rollout_percentage: 100 }],
})

/** One flag per kind of outcome. */
const FLAGS = {
  on: flagDefinition('on', { ...ON_FOR_EVERYONE, payloads: { true: '"on:true"' } }),
  off: flagDefinition('off', { groups: [{ properties: [], rollout_percentage: 0 }], payloads: { true: '"never"' } }),
  variant: flagDefinition('variant', {
    ...ON_FOR_EVERYONE,
    multivariate: { variants: [{ key: 'b', rollout_percentage: 100 }] },
    payloads: { b: '"variant:b"', x: '"variant:x"' },
  }),
  // The evaluation input has no `email`: only the server can decide.
  unsure: flagDefinition('unsure', personCondition('email')),
  // Cohort 7 is not among the local cohorts (a static cohort).
  'static-cohort': flagDefinition('static-cohort', {
    groups: [{ properties: [{ key: 'id', type: 'cohort', value: 7 }], rollout_percentage: 100 }],
  }),
  // Reading the `explodes` property throws: an unexpected failure inside the evaluator.
  broken: flagDefinition('broken', { ...personCondition('explodes'), payloads: { x: '"broken:x"' } }),
}
type Key = keyof typeof FLAGS

const personProperties = Object.defineProperty({}, 'explodes', {
  enumerable: true,
  get(): never {
    throw new TypeError('cannot read x')
  },
}) as Record<string, unknown>
const input: EvaluationInput = { distinctId: 'u', groups: {}, personProperties, groupProperties: {} }

/** The definitions of `keys`, validated and prepared as the poller holds them; `undefined`: nothing loaded. */
function source(keys: Key[] | undefined): { -readonly [K in keyof DefinitionsSource]: DefinitionsSource[K] } & {
  loads: number
} {
  let definitions
  if (keys !== undefined) {
    const validated = validateFlagDefinitions(cacheDefinitions(keys.map((key) => FLAGS[key])))
    if (!validated.ok) throw new Error(`invalid test definitions: ${validated.reason}`)
    definitions = prepareDefinitions(validated.data)
  }
  const state = {
    definitions,
    loads: 0,
    ensureLoaded: async () => {
      state.loads += 1
    },
  }
  return state
}

function localFlags(keys: Key[] | undefined) {
  const errors: Error[] = []
  const debug: string[] = []
  const definitions = source(keys)
  const flags = new LocalFlags(definitions, {
    onError: (error) => errors.push(error),
    debug: (message) => debug.push(message()),
  })
  return { flags, errors, debug, definitions }
}

describe('getFlag', () => {
  test('values are returned as they are, false included', async () => {
    const { flags } = localFlags(['on', 'off', 'variant'])
    expect(await flags.getFlag('on', input)).toBe(true)
    expect(await flags.getFlag('off', input)).toBe(false)
    expect(await flags.getFlag('variant', input)).toBe('b')
  })

  test('waits for the load gate before it reads the definitions', async () => {
    const { flags, definitions } = localFlags(['on'])
    const loaded = definitions.definitions
    definitions.definitions = undefined
    definitions.ensureLoaded = async () => {
      definitions.definitions = loaded
    }
    expect(await flags.getFlag('on', input)).toBe(true)
  })

  test('nothing loaded or an unknown key gives undefined', async () => {
    expect(await localFlags(undefined).flags.getFlag('on', input)).toBeUndefined()
    expect(await localFlags(['on']).flags.getFlag('unknown', input)).toBeUndefined()
  })

  test('inconclusive and server-required outcomes give undefined with a debug note, no error', async () => {
    const { flags, errors, debug } = localFlags(['unsure', 'static-cohort'])
    expect(await flags.getFlag('unsure', input)).toBeUndefined()
    expect(await flags.getFlag('static-cohort', input)).toBeUndefined()
    expect(errors).toEqual([])
    expect(debug.join('\n')).toContain("Can't determine if feature flag is enabled or not with given properties")
    expect(debug.join('\n')).toContain('cohort 7 not found in local cohorts')
  })

  test('an unexpected error is reported with the upstream prefix and gives undefined', async () => {
    const { flags, errors } = localFlags(['broken'])
    expect(await flags.getFlag('broken', input)).toBeUndefined()
    expect(errors.map((e) => e.message)).toEqual(['Error computing flag locally: broken: TypeError: cannot read x'])
  })
})

describe('getPayload', () => {
  test('with matchValue the payload of that value is returned without evaluating', async () => {
    const { flags, errors } = localFlags(['broken'])
    expect(await flags.getPayload('broken', input, 'x')).toEqual({ payload: 'broken:x' })
    expect(errors).toEqual([])
  })

  test('a false value has a null payload, which still counts as answered locally', async () => {
    expect(await localFlags(['off']).flags.getPayload('off', input, undefined)).toEqual({ payload: null })
  })

  test('the payload of the computed value otherwise', async () => {
    expect(await localFlags(['variant']).flags.getPayload('variant', input, undefined)).toEqual({
      payload: 'variant:b',
    })
  })

  test('inconclusive falls back (undefined)', async () => {
    expect(await localFlags(['unsure']).flags.getPayload('unsure', input, undefined)).toBeUndefined()
  })

  test('an unexpected error rejects, as upstream does for payloads', async () => {
    await expect(localFlags(['broken']).flags.getPayload('broken', input, undefined)).rejects.toThrow('cannot read x')
  })
})

describe('getAll', () => {
  test('collects values and truthy payloads; any unanswered flag marks the result incomplete', async () => {
    const { flags, errors } = localFlags(['on', 'off', 'unsure', 'broken'])
    const result = await flags.getAll(input, undefined)
    expect(result).toEqual({ flags: { on: true, off: false }, payloads: { on: 'on:true' }, incomplete: true })
    expect(errors).toHaveLength(1)
  })

  test('all answered: complete', async () => {
    expect((await localFlags(['on', 'variant']).flags.getAll(input, undefined)).incomplete).toBe(false)
  })

  test('flagKeys restricts to known keys and silently skips unknown ones', async () => {
    const result = await localFlags(['on', 'variant']).flags.getAll(input, ['variant', 'nope'])
    expect(result).toEqual({ flags: { variant: 'b' }, payloads: { variant: 'variant:b' }, incomplete: false })
  })

  test('without payloads when asked not to parse them', async () => {
    const result = await localFlags(['on', 'variant']).flags.getAll(input, undefined, false)
    expect(result).toEqual({ flags: { on: true, variant: 'b' }, payloads: {}, incomplete: false })
  })

  test('nothing loaded or an empty set is incomplete', async () => {
    expect((await localFlags(undefined).flags.getAll(input, undefined)).incomplete).toBe(true)
    expect((await localFlags([]).flags.getAll(input, undefined)).incomplete).toBe(true)
  })
})

describe('hasFlags', () => {
  test('reads memory without waiting', () => {
    const loaded = localFlags(['on'])
    expect(localFlags(undefined).flags.hasFlags()).toBe(false)
    expect(localFlags([]).flags.hasFlags()).toBe(false)
    expect(loaded.flags.hasFlags()).toBe(true)
    expect(loaded.definitions.loads).toBe(0)
  })
})
