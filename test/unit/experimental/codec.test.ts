// The entry format every store keeps: schema version, optional gzip, optional HMAC tag, size bound, validation.
import { gzipSync } from 'node:zlib'
import { FLAG_DEFINITIONS_SCHEMA_VERSION, FlagDefinitionsCodec } from '../../../src/experimental'
import { sampleDefinitions } from '../../integration/providers/fixtures'

/** Definitions whose JSON is about `flags` × 1 KB. */
function manyFlags(flags: number) {
  const data = sampleDefinitions()
  data.flags = Array.from({ length: flags }, (_, i) => ({
    ...sampleDefinitions().flags[0]!,
    id: i,
    key: `flag-${i}`,
    name: `flag ${i} ${'x'.repeat(900)}`,
  }))
  return data
}

const header = (payload: string) => payload.slice(0, payload.indexOf('\n'))

describe('FlagDefinitionsCodec', () => {
  it('round-trips definitions', async () => {
    const codec = new FlagDefinitionsCodec({ key: 'k' })
    expect(await codec.decode(await codec.encode(sampleDefinitions()))).toEqual({ ok: true, data: sampleDefinitions() })
  })

  it('writes the schema version, the encoding and the tag in a header line', async () => {
    const payload = await new FlagDefinitionsCodec({ key: 'k' }).encode(sampleDefinitions())
    expect(header(payload)).toBe(`phfd/${FLAG_DEFINITIONS_SCHEMA_VERSION} json -`)
    expect(payload.slice(payload.indexOf('\n') + 1)).toBe(JSON.stringify(sampleDefinitions()))
  })

  it('refuses another schema version, saying which', async () => {
    const result = await new FlagDefinitionsCodec({ key: 'k' }).decode(
      `phfd/99 json -\n${JSON.stringify(sampleDefinitions())}`
    )
    expect(result).toEqual({
      ok: false,
      reason: expect.stringMatching(/schema version 99, this package reads version 2/),
    })
  })

  it('refuses data that fails validation', async () => {
    const result = await new FlagDefinitionsCodec({ key: 'k' }).decode('phfd/2 json -\n{"flags": 3}')
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/stored definitions are invalid/) })
  })

  describe('compression', () => {
    it('gzips an entry whose JSON exceeds 64 KiB by default, and leaves a small one as JSON', async () => {
      const codec = new FlagDefinitionsCodec({ key: 'k' })
      const large = manyFlags(100)
      expect(JSON.stringify(large).length).toBeGreaterThan(64 * 1024)
      const payload = await codec.encode(large)
      expect(header(payload)).toBe('phfd/2 gzip -')
      expect(payload.length).toBeLessThan(JSON.stringify(large).length / 5)
      expect(await codec.decode(payload)).toEqual({ ok: true, data: large })
      expect(header(await codec.encode(sampleDefinitions()))).toBe('phfd/2 json -')
    })

    it("compresses every entry with compress: 'gzip' and none with compress: false", async () => {
      expect(header(await new FlagDefinitionsCodec({ key: 'k', compress: 'gzip' }).encode(sampleDefinitions()))).toBe(
        'phfd/2 gzip -'
      )
      expect(header(await new FlagDefinitionsCodec({ key: 'k', compress: false }).encode(manyFlags(100)))).toBe(
        'phfd/2 json -'
      )
    })

    it('any reader decodes either encoding, whatever its own compress option', async () => {
      const gzipped = await new FlagDefinitionsCodec({ key: 'k', compress: 'gzip' }).encode(sampleDefinitions())
      expect(await new FlagDefinitionsCodec({ key: 'k', compress: false }).decode(gzipped)).toMatchObject({ ok: true })
    })

    it('refuses a body that inflates past maxEntryBytes (a gzip bomb) without inflating it all', async () => {
      const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, ' ')).toString('base64')
      const result = await new FlagDefinitionsCodec({ key: 'k', maxEntryBytes: 1024 * 1024 }).decode(
        `phfd/2 gzip -\n${bomb}`
      )
      expect(result).toEqual({ ok: false, reason: expect.stringMatching(/inflates to more than maxEntryBytes/) })
    })
  })

  describe('size bound', () => {
    it('refuses an entry larger than maxEntryBytes before parsing it', async () => {
      const parse = jest.spyOn(JSON, 'parse')
      try {
        const payload = `phfd/2 json -\n${JSON.stringify(sampleDefinitions())}`
        const result = await new FlagDefinitionsCodec({ key: 'k', maxEntryBytes: 100 }).decode(payload)
        expect(result).toEqual({
          ok: false,
          reason: expect.stringMatching(/more than maxEntryBytes \(100\); refused before parsing/),
        })
        expect(parse).not.toHaveBeenCalled()
      } finally {
        parse.mockRestore()
      }
    })

    it('defaults to 50 MiB', () => {
      expect(new FlagDefinitionsCodec({ key: 'k' }).maxEntryBytes).toBe(50 * 1024 * 1024)
    })

    it('refuses to encode definitions readers would refuse', async () => {
      await expect(
        new FlagDefinitionsCodec({ key: 'k', maxEntryBytes: 100 }).encode(sampleDefinitions())
      ).rejects.toThrow(/more than maxEntryBytes \(100\); not writing them/)
    })
  })

  describe('HMAC secret', () => {
    const signed = new FlagDefinitionsCodec({ key: 'k', secret: 'fleet secret' })

    it('tags entries and accepts its own', async () => {
      const payload = await signed.encode(sampleDefinitions())
      expect(header(payload)).toMatch(/^phfd\/2 json [0-9a-f]{64}$/)
      expect(await new FlagDefinitionsCodec({ key: 'k', secret: 'fleet secret' }).decode(payload)).toEqual({
        ok: true,
        data: sampleDefinitions(),
      })
    })

    it('refuses an entry without a tag', async () => {
      const unsigned = await new FlagDefinitionsCodec({ key: 'k' }).encode(sampleDefinitions())
      expect(await signed.decode(unsigned)).toEqual({ ok: false, reason: expect.stringMatching(/no HMAC tag/) })
    })

    it('refuses an entry tagged with another secret', async () => {
      const other = await new FlagDefinitionsCodec({ key: 'k', secret: 'attacker' }).encode(sampleDefinitions())
      expect(await signed.decode(other)).toEqual({ ok: false, reason: expect.stringMatching(/wrong HMAC tag/) })
    })

    it('refuses an entry whose body was altered after tagging', async () => {
      const payload = await signed.encode(sampleDefinitions())
      const altered = payload.replace('@example.com', '@evil.example')
      expect(altered).not.toBe(payload)
      expect(await signed.decode(altered)).toEqual({ ok: false, reason: expect.stringMatching(/wrong HMAC tag/) })
    })

    it('refuses an entry whose encoding was switched after tagging', async () => {
      const payload = await new FlagDefinitionsCodec({ key: 'k', secret: 'fleet secret', compress: 'gzip' }).encode(
        sampleDefinitions()
      )
      expect(await signed.decode(payload.replace(' gzip ', ' json '))).toMatchObject({ ok: false })
    })

    it('refuses an entry copied from another key (the tag is bound to the key)', async () => {
      const fromOtherKey = await new FlagDefinitionsCodec({ key: 'other', secret: 'fleet secret' }).encode(
        sampleDefinitions()
      )
      expect(await signed.decode(fromOtherKey)).toEqual({ ok: false, reason: expect.stringMatching(/wrong HMAC tag/) })
    })

    it('keeps neither the secret nor anything containing it', () => {
      const secret = 'phx_personal_api_key_used_as_secret'
      const codec = new FlagDefinitionsCodec({ key: 'k', secret })
      const inspect = JSON.stringify(codec, (_k, v) => (Buffer.isBuffer(v) ? v.toString('hex') : v))
      expect(inspect).not.toContain(secret)
      expect(inspect).not.toContain('phx_')
    })
  })

  it.each([
    ['an empty secret', { secret: '' }, /options.secret must be a non-empty string/],
    ['a negative maxEntryBytes', { maxEntryBytes: -1 }, /options.maxEntryBytes must be a positive whole number/],
    ['a fractional maxEntryBytes', { maxEntryBytes: 1.5 }, /options.maxEntryBytes must be a positive whole number/],
    ['compress: true', { compress: true }, /options.compress must be 'gzip' or false/],
  ])('rejects %s with a message naming the option', (_label, options, message) => {
    expect(() => new FlagDefinitionsCodec({ key: 'k', ...(options as object) })).toThrow(message)
  })
})
