/* eslint-disable @typescript-eslint/no-require-imports */
import {
  createEventProcessor,
  PostHogSentryIntegration,
  type SentryEvent,
  type SentryEventProcessor,
  sentryIntegration,
} from '../../../src/integrations'
import { FakePostHog } from './fake-posthog'

const upstream = require('posthog-node-upstream')

function sentryEvent(overrides: Partial<SentryEvent> = {}): SentryEvent {
  return {
    event_id: 'abc123',
    level: 'error',
    message: 'event message',
    tags: { posthog_distinct_id: 'user-1', release: 'v1' },
    exception: {
      values: [
        {
          type: 'TypeError',
          value: 'x is not a function',
          stacktrace: {
            frames: [
              { filename: '/app/index.js', function: 'main', lineno: 3, colno: 7, in_app: true },
              { filename: '/app/lib.js', function: 'helper', lineno: 10, colno: 2, in_app: true },
            ],
          },
        },
      ],
    },
    ...overrides,
  }
}

describe('createEventProcessor', () => {
  it('tags the event with the PostHog person URL and returns the same event', () => {
    const posthog = new FakePostHog()
    const event = sentryEvent()

    const returned = createEventProcessor(posthog)(event)

    expect(returned).toBe(event)
    expect(event.tags?.['PostHog Person URL']).toBe('https://us.i.posthog.com/project/phc_test_key/person/user-1')
  })

  it('builds the person URL on the configured host', () => {
    const posthog = new FakePostHog('phc_key', { host: 'https://eu.i.posthog.com' })
    const event = sentryEvent()

    createEventProcessor(posthog)(event)

    expect(event.tags?.['PostHog Person URL']).toBe('https://eu.i.posthog.com/project/phc_key/person/user-1')
  })

  it('still processes the event, without the person link, when the host option is not a URL', () => {
    const posthog = new FakePostHog('phc_key', { host: 'not a url' })
    const event = sentryEvent()

    expect(createEventProcessor(posthog)(event)).toBe(event)
    expect(event.tags).not.toHaveProperty('PostHog Person URL')
    expect(posthog.captured).toHaveLength(1)
  })

  it('captures an $exception for the tagged person with the Sentry details', () => {
    const posthog = new FakePostHog()
    const event = sentryEvent()

    createEventProcessor(posthog)(event)

    expect(posthog.captured).toEqual([
      {
        event: '$exception',
        distinctId: 'user-1',
        properties: {
          $exception_message: 'x is not a function',
          $exception_type: 'TypeError',
          $exception_level: 'error',
          $exception_list: [
            {
              type: 'TypeError',
              value: 'x is not a function',
              stacktrace: {
                type: 'raw',
                frames: [
                  expect.objectContaining({ filename: '/app/index.js', platform: 'node:javascript' }),
                  expect.objectContaining({ filename: '/app/lib.js', platform: 'node:javascript' }),
                ],
              },
            },
          ],
          $sentry_event_id: 'abc123',
          $sentry_exception: event.exception,
          $sentry_exception_message: 'x is not a function',
          $sentry_exception_type: 'TypeError',
          $sentry_tags: event.tags,
        },
      },
    ])
  })

  it('does not change the frames of the Sentry event itself', () => {
    const event = sentryEvent()

    createEventProcessor(new FakePostHog())(event)

    expect(event.exception?.values?.[0].stacktrace?.frames?.[0]).not.toHaveProperty('platform')
  })

  it('uses the event message when the event has no exception', () => {
    const posthog = new FakePostHog()

    createEventProcessor(posthog)(sentryEvent({ exception: undefined }))

    expect(posthog.captured[0].properties).toMatchObject({
      $exception_message: 'event message',
      $sentry_exception_message: 'event message',
      $exception_list: [],
    })
  })

  it('adds $sentry_url only when both organization and project id are given', () => {
    const withBoth = new FakePostHog()
    const orgOnly = new FakePostHog()
    const projectOnly = new FakePostHog()

    createEventProcessor(withBoth, { organization: 'acme', projectId: 42 })(sentryEvent())
    createEventProcessor(orgOnly, { organization: 'acme' })(sentryEvent())
    createEventProcessor(projectOnly, { projectId: 42 })(sentryEvent())

    expect(withBoth.captured[0].properties.$sentry_url).toBe(
      'https://sentry.io/organizations/acme/issues/?project=42&query=abc123'
    )
    expect(orgOnly.captured[0].properties).not.toHaveProperty('$sentry_url')
    expect(projectOnly.captured[0].properties).not.toHaveProperty('$sentry_url')
  })

  it('builds $sentry_url on a self-hosted Sentry prefix', () => {
    const posthog = new FakePostHog()

    createEventProcessor(posthog, { organization: 'acme', projectId: 7, prefix: 'https://sentry.acme.dev/orgs/' })(
      sentryEvent()
    )

    expect(posthog.captured[0].properties.$sentry_url).toBe(
      'https://sentry.acme.dev/orgs/acme/issues/?project=7&query=abc123'
    )
  })

  it('passes events below the allowed severities through untouched', () => {
    const posthog = new FakePostHog()
    const warning = sentryEvent({ level: 'warning' })
    const before = structuredClone(warning)

    expect(createEventProcessor(posthog)(warning)).toBe(warning)
    expect(warning).toEqual(before)
    expect(posthog.captured).toEqual([])
  })

  it('processes the severities in the allow list, or all of them with "*"', () => {
    const listed = new FakePostHog()
    const all = new FakePostHog()
    const levels = ['fatal', 'error', 'warning', 'info', 'debug', 'log'] as const

    const processListed = createEventProcessor(listed, { severityAllowList: ['warning', 'fatal'] })
    const processAll = createEventProcessor(all, { severityAllowList: '*' })
    for (const level of levels) {
      processListed(sentryEvent({ level }))
      processAll(sentryEvent({ level }))
    }

    expect(listed.captured.map((m) => m.properties.$exception_level)).toEqual(['fatal', 'warning'])
    expect(all.captured).toHaveLength(levels.length)
  })

  it('passes events without the distinct id tag through, adding only an empty tags object', () => {
    const posthog = new FakePostHog()
    const untagged = sentryEvent({ tags: undefined })

    const returned = createEventProcessor(posthog)(untagged)

    expect(returned).toBe(untagged)
    expect(untagged.tags).toEqual({})
    expect(posthog.captured).toEqual([])
  })

  it('only tags the event when sending exceptions to PostHog is turned off', () => {
    const posthog = new FakePostHog()
    const event = sentryEvent()

    createEventProcessor(posthog, { sendExceptionsToPostHog: false })(event)

    expect(event.tags).toHaveProperty('PostHog Person URL')
    expect(posthog.captured).toEqual([])
  })

  it.each([
    ['defaults', {}, sentryEvent()],
    ['organization and project', { organization: 'acme', projectId: 9 }, sentryEvent()],
    ['an event without exception', {}, sentryEvent({ exception: undefined })],
    ['an exception without stack trace', {}, sentryEvent({ exception: { values: [{ type: 'E', value: 'v' }] } })],
    ['a filtered level', {}, sentryEvent({ level: 'info' })],
    ['no tags', {}, sentryEvent({ tags: undefined })],
  ])('matches upstream posthog-node 5.13.2 for %s', (_name, options, event) => {
    const ours = new FakePostHog('phc_key', { host: 'https://eu.i.posthog.com' })
    const theirs = new FakePostHog('phc_key', { host: 'https://eu.i.posthog.com' })
    const ourEvent = structuredClone(event)
    const theirEvent = structuredClone(event)

    createEventProcessor(ours, options)(ourEvent)
    upstream.createEventProcessor(theirs, options)(theirEvent)

    expect(ourEvent).toEqual(theirEvent)
    expect(ours.captured).toEqual(theirs.captured)
  })
})

describe('sentryIntegration (Sentry v8)', () => {
  it('is named posthog-node and processes events like createEventProcessor', () => {
    const posthog = new FakePostHog()
    const integration = sentryIntegration(posthog, { organization: 'acme', projectId: 1 })
    const event = sentryEvent()

    expect(integration.name).toBe('posthog-node')
    expect(integration.processEvent(event)).toBe(event)
    expect(posthog.captured[0].properties.$sentry_url).toBe(
      'https://sentry.io/organizations/acme/issues/?project=1&query=abc123'
    )
  })
})

describe('PostHogSentryIntegration (Sentry v7)', () => {
  function setUp(integration: PostHogSentryIntegration, projectId?: string): SentryEventProcessor {
    let registered: SentryEventProcessor | undefined
    integration.setupOnce(
      (processor) => {
        registered = processor
      },
      () => ({ getClient: () => ({ getDsn: () => (projectId === undefined ? undefined : { projectId }) }) })
    )
    if (!registered) throw new Error('setupOnce registered no event processor')
    return registered
  }

  it('has the name posthog-node and the distinct id tag name', () => {
    expect(new PostHogSentryIntegration(new FakePostHog()).name).toBe('posthog-node')
    expect(PostHogSentryIntegration.POSTHOG_ID_TAG).toBe('posthog_distinct_id')
  })

  it('registers a processor that takes the project id from the DSN', () => {
    const posthog = new FakePostHog()
    const processor = setUp(new PostHogSentryIntegration(posthog, 'acme'), '4711')

    processor(sentryEvent())

    expect(posthog.captured[0].properties.$sentry_url).toBe(
      'https://sentry.io/organizations/acme/issues/?project=4711&query=abc123'
    )
  })

  it('passes prefix, severity allow list and the send switch on', () => {
    const posthog = new FakePostHog()
    const processor = setUp(
      new PostHogSentryIntegration(posthog, 'acme', 'https://s.example/', ['warning'], false),
      '5'
    )
    const warning = sentryEvent({ level: 'warning' })

    processor(sentryEvent())
    processor(warning)

    expect(warning.tags).toHaveProperty('PostHog Person URL')
    expect(posthog.captured).toEqual([])
  })

  it('works without a hub client', () => {
    const posthog = new FakePostHog()
    let registered: SentryEventProcessor | undefined
    new PostHogSentryIntegration(posthog, 'acme').setupOnce(
      (processor) => (registered = processor),
      () => undefined
    )

    registered?.(sentryEvent())

    expect(posthog.captured[0].properties).not.toHaveProperty('$sentry_url')
  })
})
