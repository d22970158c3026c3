// Types of tools/posthog-stand-in.cjs for TypeScript callers (tests, bench).

export type StandInMode = 'ok' | 'hang' | 'fail'
export type RequestKind = 'definitions' | 'batch' | 'flags' | 'other'

export interface StandInRequest {
  kind: RequestKind
  method: string
  path: string
  at: number
  mode: StandInMode
  /** The Authorization header (`Bearer <personal API key>`), which tells apart clients with different keys. */
  authorization: string | undefined
  /** The If-None-Match header: the ETag the client holds definitions for. */
  ifNoneMatch: string | undefined
}

/** A definitions answer as sent: 200 with the body, or 304 without one. */
export interface StandInResponse {
  kind: RequestKind
  status: number
  /** Body bytes (0 for a 304). */
  bytes: number
  at: number
  authorization: string | undefined
}

export interface StandInResponses {
  /** Definitions requests answered 200 with the full body. */
  full: number
  /** Definitions requests answered 304. */
  notModified: number
  /** Body bytes of definitions answers. */
  bytes: number
}

export interface StandInOptions {
  /** The local_evaluation response body (snake_case). Default: DEFAULT_DEFINITIONS. */
  definitions?: unknown
  /** Default 0: any free port. */
  port?: number
  /** Default 127.0.0.1. */
  host?: string
  mode?: StandInMode
  /** Delay before answering a definitions request. */
  latencyMs?: number
}

export interface StandIn {
  url: string
  port: number
  requests(kind?: RequestKind | 'all'): number
  setMode(mode: StandInMode): void
  setDefinitions(body: unknown): void
  /** The ETag of the current definitions (quoted, as sent). */
  etag(): string
  responses(): StandInResponses
  onRequest(listener: (request: StandInRequest) => void): void
  onResponse(listener: (response: StandInResponse) => void): void
  close(): Promise<void>
}

export declare const DEFAULT_DEFINITIONS: {
  flags: Record<string, unknown>[]
  group_type_mapping: Record<string, string>
  cohorts: Record<string, unknown>
}

export declare function start(options?: StandInOptions): Promise<StandIn>
