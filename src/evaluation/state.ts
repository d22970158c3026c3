// The state of one evaluation call, passed down explicitly: what is evaluated against, the dependency results
// shared by the call (and by every flag of one getAllFlags call), how deep dependencies nest, and why the last
// undecided answer was undecided.
import type { PreparedDefinitions } from './model'
import { INCONCLUSIVE, REQUIRES_SERVER } from './result'
import type { DependencyCache, EvaluationInput } from './types'

export class EvaluationState {
  /** How many flag dependencies are being evaluated inside each other right now. */
  depth = 0
  /** Why the last INCONCLUSIVE or REQUIRES_SERVER result was returned. */
  reason = ''
  /** How the last undecided flag was undecided. */
  undecided: typeof INCONCLUSIVE | typeof REQUIRES_SERVER = INCONCLUSIVE

  constructor(
    readonly definitions: PreparedDefinitions,
    readonly input: EvaluationInput,
    readonly dependencies: DependencyCache
  ) {}

  /** Records why the evaluation is inconclusive and returns INCONCLUSIVE. */
  inconclusive(why: string): typeof INCONCLUSIVE {
    this.reason = why
    return INCONCLUSIVE
  }

  /** Records why the evaluation needs the server and returns REQUIRES_SERVER. */
  requiresServer(why: string): typeof REQUIRES_SERVER {
    this.reason = why
    return REQUIRES_SERVER
  }
}
