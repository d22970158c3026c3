/**
 * The API refused the definitions request because of the keys or a rate limit (401, 403, 429): something the user
 * must fix or wait out. Named like upstream's class so `error.name === 'ClientError'` checks keep working.
 */
export class ClientError extends Error {
  constructor(
    message: string,
    readonly status: number
  ) {
    super(message)
    this.name = 'ClientError'
  }
}

const AUTH_DOCS = 'https://posthog.com/docs/api/overview'
const RATE_LIMIT_DOCS = 'https://posthog.com/docs/api#rate-limiting'

/** Why the API refused us and what to do, naming the interval the poller now waits. */
export function refusalError(status: 401 | 403 | 429, nextIntervalMs: number): ClientError {
  const next = `Next polling interval: ${nextIntervalMs}ms.`
  switch (status) {
    case 401:
      return new ClientError(
        `Feature flag definitions request refused (401): the project API key or the personal API key is invalid. ${next} See ${AUTH_DOCS}`,
        status
      )
    case 403:
      return new ClientError(
        `Feature flag definitions request refused (403): the personal API key may not read feature flag definitions ` +
          `for local evaluation. Check that it belongs to the same project as the project API key and has feature ` +
          `flag read access. ${next} See ${AUTH_DOCS}`,
        status
      )
    case 429:
      return new ClientError(
        `Feature flag definitions request rate limited (429). ${next} See ${RATE_LIMIT_DOCS}`,
        status
      )
  }
}

/** Printed verbatim by upstream on a 402 (upstream tests compare it), so it is kept word for word. */
export const QUOTA_LIMITED_WARNING =
  '[FEATURE FLAGS] Feature flags quota limit exceeded - unsetting all local flags. Learn more about billing limits at https://posthog.com/docs/billing/limits-alerts'
