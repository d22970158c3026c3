// How the client turns evaluator outcomes into answers: values are used, inconclusive and server-required outcomes
// fall back, unexpected errors are reported with upstream's message prefix.
import type { FlagOutcome } from '../../../src/evaluation'
import { LocalFlags } from '../../../src/client/local-flags'
import type { DefinitionsPoller } from '../../../src/polling/poller'

const outcomes = new Map<string, FlagOutcome>()
jest.mock('../../../src/evaluation', () => ({
  createDependencyCache: () => new Map(),
  evaluateFlag: (_defs: unknown, key: string) => outcomes.get(key),
  flagPayload: (_defs: unknown, key: string, value: unknown) => (value === false ? null : `${key}:${String(value)}`),
}))

function fakePoller(keys: string[] | undefined): DefinitionsPoller {
  const definitions =
    keys === undefined
      ? undefined
      : { flagCount: keys.length, flagsByKey: new Map(keys.map((key) => [key, { key }])), keys }
  return { definitions, ensureLoaded: async () => undefined } as unknown as DefinitionsPoller
}

const input = { distinctId: 'u', groups: {}, personProperties: {}, groupProperties: {} }

function localFlags(keys: string[] | undefined) {
  const errors: Error[] = []
  const debug: string[] = []
  const flags = new LocalFlags(fakePoller(keys), {
    onError: (error) => errors.push(error),
    debug: (message) => debug.push(message()),
  })
  return { flags, errors, debug }
}

beforeEach(() => {
  outcomes.clear()
  outcomes.set('on', { kind: 'value', value: true })
  outcomes.set('off', { kind: 'value', value: false })
  outcomes.set('variant', { kind: 'value', value: 'b' })
  outcomes.set('unsure', { kind: 'inconclusive', reason: 'missing property email' })
  outcomes.set('static-cohort', { kind: 'requires-server', reason: 'cohort 7 is not local' })
  outcomes.set('broken', { kind: 'error', error: new TypeError('cannot read x') })
})

describe('getFlag', () => {
  test('values are returned as they are, false included', async () => {
    const { flags } = localFlags(['on', 'off', 'variant'])
    expect(await flags.getFlag('on', input)).toBe(true)
    expect(await flags.getFlag('off', input)).toBe(false)
    expect(await flags.getFlag('variant', input)).toBe('b')
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
    expect(debug.join('\n')).toContain('missing property email')
  })

  test('an unexpected error is reported with the upstream prefix and gives undefined', async () => {
    const { flags, errors } = localFlags(['broken'])
    expect(await flags.getFlag('broken', input)).toBeUndefined()
    expect(errors.map((e) => e.message)).toEqual(['Error computing flag locally: broken: TypeError: cannot read x'])
  })
})

describe('getPayload', () => {
  test('with matchValue the payload of that value is returned without evaluating', async () => {
    const { flags } = localFlags(['broken'])
    expect(await flags.getPayload('broken', input, 'x')).toEqual({ payload: 'broken:x' })
  })

  test('a false value has a null payload, which still counts as answered locally', async () => {
    expect(await localFlags(['off']).flags.getPayload('off', input, undefined)).toEqual({ payload: null })
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

  test('nothing loaded or an empty set is incomplete', async () => {
    expect((await localFlags(undefined).flags.getAll(input, undefined)).incomplete).toBe(true)
    expect((await localFlags([]).flags.getAll(input, undefined)).incomplete).toBe(true)
  })
})

describe('hasFlags', () => {
  test('reads memory without waiting', () => {
    expect(localFlags(undefined).flags.hasFlags()).toBe(false)
    expect(localFlags([]).flags.hasFlags()).toBe(false)
    expect(localFlags(['on']).flags.hasFlags()).toBe(true)
  })
})
