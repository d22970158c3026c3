// before_send hooks: run in order on every captured event, can change or drop it, never run for identify/alias.
import type { BeforeSendFn, EventMessage } from '../../../src/entrypoints/index.node'
import { testClient } from './test-client'

afterEach(() => jest.restoreAllMocks())

describe('before_send', () => {
  test('a single hook can change the event name and properties', async () => {
    const hook: BeforeSendFn = (event) =>
      event && { ...event, event: `${event.event}!`, properties: { ...event.properties, added: true } }
    const { client, events } = testClient({ before_send: hook })
    client.capture({ distinctId: 'u', event: 'signed up', properties: { plan: 'pro' } })
    await client.shutdown()
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ event: 'signed up!', properties: { plan: 'pro', added: true } })
  })

  test('an array of hooks runs in order, each seeing the previous result', async () => {
    const seen: string[] = []
    const first: BeforeSendFn = (event) => {
      seen.push(`first:${event?.event}`)
      return event && { ...event, event: 'renamed' }
    }
    const second: BeforeSendFn = (event) => {
      seen.push(`second:${event?.event}`)
      return event
    }
    const { client, events } = testClient({ before_send: [first, second] })
    client.capture({ distinctId: 'u', event: 'original' })
    await client.shutdown()
    expect(seen).toEqual(['first:original', 'second:renamed'])
    expect(events.map((e) => e.event)).toEqual(['renamed'])
  })

  test('a hook returning null drops the event and later hooks do not run', async () => {
    const later = jest.fn((event: EventMessage | null) => event)
    const { client, events } = testClient({
      before_send: [(event) => (event?.event === 'secret' ? null : event), later],
    })
    client.capture({ distinctId: 'u', event: 'secret' })
    client.capture({ distinctId: 'u', event: 'public' })
    await client.shutdown()
    expect(events.map((e) => e.event)).toEqual(['public'])
    expect(later).toHaveBeenCalledTimes(1)
  })

  test('a dropped event is logged in debug mode with the upstream wording', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined)
    const { client } = testClient({ before_send: () => null })
    client.debug()
    client.capture({ distinctId: 'u', event: 'dropped-one' })
    await client.shutdown()
    expect(log).toHaveBeenCalledWith('[PostHog]', "Event 'dropped-one' was rejected in beforeSend function")
  })

  test('a throwing hook drops only that event and prints the error', async () => {
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined)
    const { client, events } = testClient({
      before_send: (event) => {
        if (event?.event === 'boom') throw new Error('hook failed')
        return event
      },
    })
    client.capture({ distinctId: 'u', event: 'boom' })
    client.capture({ distinctId: 'u', event: 'fine' })
    await client.shutdown()
    expect(events.map((e) => e.event)).toEqual(['fine'])
    expect(error).toHaveBeenCalledWith(expect.objectContaining({ message: 'hook failed' }))
  })

  test('hooks run for captureImmediate too', async () => {
    const { client, events } = testClient({ before_send: (event) => event && { ...event, event: 'hooked' } })
    await client.captureImmediate({ distinctId: 'u', event: 'immediate' })
    expect(events.map((e) => e.event)).toEqual(['hooked'])
    await client.shutdown()
  })

  test('hooks do not run for identify, alias and groupIdentify', async () => {
    const hook = jest.fn((event: EventMessage | null) => event)
    const { client, events } = testClient({ before_send: hook })
    client.identify({ distinctId: 'u', properties: { a: 1 } })
    client.alias({ distinctId: 'u', alias: 'old' })
    client.groupIdentify({ groupType: 'company', groupKey: 'acme' })
    await client.shutdown()
    expect(hook).not.toHaveBeenCalled()
    expect(events).toHaveLength(3)
  })
})

describe('$groups', () => {
  test('the event groups are sent as $groups', async () => {
    const { client, events } = testClient()
    client.capture({ distinctId: 'u', event: 'e', groups: { company: 'acme', team: 7 } })
    await client.shutdown()
    expect(events[0].properties).toMatchObject({ $groups: { company: 'acme', team: 7 } })
  })

  test('a $groups given in properties is replaced by the event groups (upstream behaviour)', async () => {
    const { client, events } = testClient()
    client.capture({ distinctId: 'u', event: 'e', properties: { $groups: { a: 'b' } }, groups: { company: 'acme' } })
    client.capture({ distinctId: 'u', event: 'no groups', properties: { $groups: { a: 'b' } } })
    await client.shutdown()
    expect(events.find((e) => e.event === 'e')!.properties).toMatchObject({ $groups: { company: 'acme' } })
    expect(events.find((e) => e.event === 'no groups')!.properties).not.toHaveProperty('$groups')
  })

  test('groups changed by a hook win', async () => {
    const { client, events } = testClient({ before_send: (event) => event && { ...event, groups: { org: 'x' } } })
    client.capture({ distinctId: 'u', event: 'e', groups: { company: 'acme' } })
    await client.shutdown()
    expect(events[0].properties).toMatchObject({ $groups: { org: 'x' } })
  })
})

describe('capture given a string', () => {
  test('warns in debug mode with the upstream wording', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined)
    jest.spyOn(console, 'log').mockImplementation(() => undefined)
    const { client } = testClient()
    client.debug()
    client.capture('not an object' as never)
    await client.captureImmediate('not an object' as never)
    await client.shutdown()
    const messages = warn.mock.calls.map((call) => call.join(' '))
    expect(messages).toContain(
      '[PostHog] Called capture() with a string as the first argument when an object was expected.'
    )
    expect(messages).toContain(
      '[PostHog] Called captureImmediate() with a string as the first argument when an object was expected.'
    )
  })
})
