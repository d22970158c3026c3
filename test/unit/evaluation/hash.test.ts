import { createHash } from 'node:crypto'
import { rolloutHash, setSha1Implementation } from '../../../src/evaluation/hash'
import { sha1Hex } from '../../../src/evaluation/sha1'
import { nodeSha1Hex } from '../../../src/evaluation/sha1-node'
import { condition, definitions, evaluate, flag } from './helpers'

afterEach(() => setSha1Implementation(undefined))

describe('SHA-1', () => {
  test('the built-in SHA-1 gives the upstream test vector for some-flag.some_distinct_id', () => {
    expect(sha1Hex('some-flag.some_distinct_id')).toBe('e4ce124e800a818c63099f95fa085dc2b620e173')
  })

  test('the built-in SHA-1 gives the standard empty-string digest', () => {
    expect(sha1Hex('')).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709')
  })

  test.each([55, 56, 63, 64, 65, 119, 120, 1000])('the built-in SHA-1 pads a %i-byte input correctly', (length) => {
    const input = 'x'.repeat(length)
    expect(sha1Hex(input)).toBe(createHash('sha1').update(input).digest('hex'))
  })

  test('the built-in SHA-1 hashes the UTF-8 encoding of non-ASCII text', () => {
    const input = 'flag.Ünïcödé ✓ 😀'
    expect(sha1Hex(input)).toBe(createHash('sha1').update(input, 'utf8').digest('hex'))
  })

  test('the built-in SHA-1 encodes lone surrogates as U+FFFD, as TextEncoder does', () => {
    const input = 'a\ud800b\udc00c\ud83d'
    const viaEncoder = createHash('sha1').update(new TextEncoder().encode(input)).digest('hex')
    expect(sha1Hex(input)).toBe(viaEncoder)
  })

  test('nodeSha1Hex gives the upstream test vector', () => {
    expect(nodeSha1Hex('some-flag.some_distinct_id')).toBe('e4ce124e800a818c63099f95fa085dc2b620e173')
  })

  test('setSha1Implementation replaces the SHA-1 used for bucketing', () => {
    const seen: string[] = []
    setSha1Implementation((input) => {
      seen.push(input)
      return 'f'.repeat(40)
    })
    const defs = definitions([flag('half', { groups: [condition([], 50)] })])
    // An all-f digest hashes to 1.0, above any rollout below 100%.
    expect(evaluate(defs, 'half', { distinctId: 'anyone' })).toBe(false)
    expect(seen).toEqual(['half.anyone'])
  })

  test('bucketing gives the same answers with node:crypto and with the built-in SHA-1', () => {
    const defs = definitions([flag('simple-flag', { groups: [condition([], 45)] })])
    const ids = Array.from({ length: 200 }, (_, i) => `distinct_id_${i}`)
    const builtIn = ids.map((distinctId) => evaluate(defs, 'simple-flag', { distinctId }))
    setSha1Implementation(nodeSha1Hex)
    expect(ids.map((distinctId) => evaluate(defs, 'simple-flag', { distinctId }))).toEqual(builtIn)
  })
})

describe('hash', () => {
  test('hash is the first 15 hex digits of SHA-1("key.id") over 0xfffffffffffffff', () => {
    const expected = [0.783696, 0.339707, 0.372043, 0.907622, 0.039585, 0.964085, 0.56227, 0.352011, 0.767823, 0.142544]
    expected.forEach((value, i) => expect(rolloutHash('simple-flag', `distinct_id_${i}`, false)).toBeCloseTo(value, 6))
  })

  test('the variant hash appends the salt "variant" to the id', () => {
    expect(rolloutHash('f', 'id', true)).toBe(parseInt(sha1Hex('f.idvariant').slice(0, 15), 16) / 2 ** 60)
  })

  test('the rollout decision uses the same hash, bit for bit, as the upstream formula', () => {
    // 45% of simple-flag: the upstream consistency vector for distinct_id_0..9.
    const defs = definitions([flag('simple-flag', { groups: [condition([], 45)] })])
    const values = Array.from({ length: 10 }, (_, i) =>
      evaluate(defs, 'simple-flag', { distinctId: `distinct_id_${i}` })
    )
    expect(values).toEqual([false, true, true, false, true, false, false, true, false, true])
  })

  test('the digest-word shortcut equals parseInt of the first 15 hex digits, bit for bit', () => {
    for (let i = 0; i < 2000; i++) {
      const id = `id-${i}-${'é'.repeat(i % 7)}`
      const expected = parseInt(createHash('sha1').update(`flag-ü.${id}`).digest('hex').slice(0, 15), 16) / 2 ** 60
      expect(rolloutHash('flag-ü', id, false)).toBe(expected)
    }
  })

  test('numeric group keys are hashed as their string form', () => {
    const defs = definitions(
      [flag('g', { aggregation_group_type_index: 0, groups: [condition([], 45)] })],
      {},
      { '0': 'company' }
    )
    const asNumber = Array.from({ length: 20 }, (_, i) => evaluate(defs, 'g', { groups: { company: i } }))
    const asString = Array.from({ length: 20 }, (_, i) => evaluate(defs, 'g', { groups: { company: String(i) } }))
    expect(asNumber).toEqual(asString)
    expect(new Set(asNumber)).toEqual(new Set([true, false]))
  })
})
