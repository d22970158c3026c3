#!/usr/bin/env node
// A local stand-in for the PostHog API, for tests, `npm run example` and `npm run bench`. Plain CommonJS, no
// dependencies. It serves flag definitions on GET /api/feature_flag/local_evaluation (counting the requests) with an
// ETag, answering 304 to a matching If-None-Match as PostHog does, and answers POST /batch/ and /flags/ with 200 so a
// client can run against it end to end.
//
// Programmatic:
//   const standIn = require('./tools/posthog-stand-in.cjs')
//   const api = await standIn.start({ definitions, port: 0 })
//   api.url                     // 'http://127.0.0.1:<port>'
//   api.requests()              // definitions requests so far (api.requests('batch'), api.requests('flags'), 'all')
//   api.setMode('hang'|'fail'|'ok')   // hang: never answer definitions requests; fail: answer them with 500
//   api.setDefinitions(body)    // what later definitions requests return
//   api.onRequest(fn)           // fn({ kind, method, path, at, mode, authorization, ifNoneMatch }) for every request
//   api.onResponse(fn)          // fn({ kind, status, bytes, at, authorization }) when a definitions answer is sent
//   api.responses()             // { full, notModified, bytes }: definitions answered 200 / 304, body bytes sent
//   api.etag()                  // the ETag of the current definitions
//   await api.close()           // also ends hanging requests
// CLI:
//   node tools/posthog-stand-in.cjs [--port 8010] [--mode ok|hang|fail]
'use strict'

const crypto = require('node:crypto')
const http = require('node:http')

/** Realistic definitions in the local_evaluation response format (snake_case, as the API sends them). */
const DEFAULT_DEFINITIONS = Object.freeze({
  flags: [
    {
      id: 1,
      name: 'New checkout, 50% of users',
      key: 'new-checkout',
      active: true,
      deleted: false,
      rollout_percentage: null,
      ensure_experience_continuity: false,
      experiment_set: [],
      filters: { groups: [{ properties: [], rollout_percentage: 50 }], payloads: { true: '{"button":"green"}' } },
    },
    {
      id: 2,
      name: 'Beta for staff',
      key: 'beta-dashboard',
      active: true,
      deleted: false,
      rollout_percentage: null,
      ensure_experience_continuity: false,
      experiment_set: [],
      filters: {
        groups: [
          {
            properties: [{ key: 'email', type: 'person', value: '@example.com', operator: 'icontains' }],
            rollout_percentage: 100,
          },
        ],
      },
    },
    {
      id: 3,
      name: 'Pricing page experiment',
      key: 'pricing-experiment',
      active: true,
      deleted: false,
      rollout_percentage: null,
      ensure_experience_continuity: false,
      experiment_set: [7],
      filters: {
        groups: [{ properties: [], rollout_percentage: 100 }],
        multivariate: {
          variants: [
            { key: 'control', name: 'Control', rollout_percentage: 50 },
            { key: 'annual-first', name: 'Annual first', rollout_percentage: 30 },
            { key: 'monthly-first', name: 'Monthly first', rollout_percentage: 20 },
          ],
        },
        payloads: { 'annual-first': '{"discount":20}' },
      },
    },
    {
      id: 4,
      name: 'Enterprise SSO (companies)',
      key: 'enterprise-sso',
      active: true,
      deleted: false,
      rollout_percentage: null,
      ensure_experience_continuity: false,
      experiment_set: [],
      filters: {
        aggregation_group_type_index: 0,
        groups: [
          {
            properties: [{ key: 'plan', type: 'group', value: ['enterprise'], operator: 'exact', group_type_index: 0 }],
            rollout_percentage: 100,
          },
        ],
      },
    },
    {
      id: 5,
      name: 'Power users (cohort)',
      key: 'power-user-tools',
      active: true,
      deleted: false,
      rollout_percentage: null,
      ensure_experience_continuity: false,
      experiment_set: [],
      filters: { groups: [{ properties: [{ key: 'id', type: 'cohort', value: 42 }], rollout_percentage: 100 }] },
    },
    {
      id: 6,
      name: 'Switched off',
      key: 'legacy-export',
      active: false,
      deleted: false,
      rollout_percentage: null,
      ensure_experience_continuity: false,
      experiment_set: [],
      filters: { groups: [{ properties: [], rollout_percentage: 100 }] },
    },
  ],
  group_type_mapping: { 0: 'company' },
  cohorts: {
    42: {
      type: 'OR',
      values: [{ type: 'AND', values: [{ key: 'sessions_last_week', type: 'person', value: 10, operator: 'gte' }] }],
    },
  },
})

const MODES = new Set(['ok', 'hang', 'fail'])

function classify(method, path) {
  if (method === 'GET' && path === '/api/feature_flag/local_evaluation') return 'definitions'
  if (method === 'POST' && /^\/batch\/?$/.test(path)) return 'batch'
  if (method === 'POST' && /^\/(flags|decide)\/?$/.test(path)) return 'flags'
  return 'other'
}

/**
 * Starts the stand-in. Options: definitions (response body), port (default 0: any free port), host (default
 * 127.0.0.1), mode ('ok' | 'hang' | 'fail'), latencyMs (delay before answering definitions requests).
 */
function start(options = {}) {
  let mode = options.mode ?? 'ok'
  if (!MODES.has(mode)) throw new TypeError(`posthog-stand-in: unknown mode ${mode} (ok, hang, fail)`)
  const latencyMs = options.latencyMs ?? 0
  const counts = { definitions: 0, batch: 0, flags: 0, other: 0 }
  const answered = { full: 0, notModified: 0, bytes: 0 }
  const listeners = []
  const responseListeners = []
  const sockets = new Set()
  // The body is serialised once per set; its ETag is a hash of those bytes, so equal definitions share an ETag.
  let body
  let etag
  const setDefinitions = (next) => {
    body = JSON.stringify(next)
    etag = `"${crypto.createHash('sha1').update(body).digest('hex').slice(0, 20)}"`
  }
  setDefinitions(options.definitions ?? DEFAULT_DEFINITIONS)

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://stand-in')
    const kind = classify(req.method, url.pathname)
    counts[kind]++
    const record = {
      kind,
      method: req.method,
      path: url.pathname,
      at: Date.now(),
      mode,
      authorization: req.headers.authorization,
      ifNoneMatch: req.headers['if-none-match'],
    }
    for (const listener of listeners) listener(record)
    const send = (status, json) => {
      if (res.destroyed) return
      res.writeHead(status, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify(json))
    }
    const sendDefinitions = () => {
      if (res.destroyed) return
      // Matched as PostHog does: any of the listed ETags, weak or strong, or *.
      const wanted = String(req.headers['if-none-match'] ?? '')
        .split(',')
        .map((tag) => tag.trim().replace(/^W\//, ''))
      const notModified = wanted.includes(etag) || wanted.includes('*')
      const status = notModified ? 304 : 200
      const bytes = notModified ? 0 : Buffer.byteLength(body)
      res.writeHead(status, notModified ? { ETag: etag } : { 'Content-Type': 'application/json', ETag: etag })
      res.end(notModified ? undefined : body)
      if (notModified) answered.notModified++
      else answered.full++
      answered.bytes += bytes
      const sent = { kind, status, bytes, at: Date.now(), authorization: req.headers.authorization }
      for (const listener of responseListeners) listener(sent)
    }
    req.resume()
    req.on('end', () => {
      if (kind === 'definitions') {
        if (mode === 'hang') return // keep the request open until the client gives up or close() ends it
        if (mode === 'fail') return send(500, { detail: 'stand-in told to fail' })
        if (!url.searchParams.get('token') || !/^Bearer \S+/.test(req.headers.authorization ?? '')) {
          return send(401, { detail: 'missing token or personal API key' })
        }
        return latencyMs > 0 ? setTimeout(sendDefinitions, latencyMs) : sendDefinitions()
      }
      if (kind === 'batch') return send(200, { status: 1 })
      if (kind === 'flags') {
        return send(200, { flags: {}, featureFlags: {}, featureFlagPayloads: {}, errorsWhileComputingFlags: false })
      }
      send(404, { detail: `the stand-in does not serve ${req.method} ${url.pathname}` })
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })

  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      const { port, address } = server.address()
      resolve({
        url: `http://${address}:${port}`,
        port,
        /** Requests of one kind so far: 'definitions' (default), 'batch', 'flags', 'other' or 'all'. */
        requests(kind = 'definitions') {
          return kind === 'all' ? Object.values(counts).reduce((a, b) => a + b, 0) : counts[kind]
        },
        setMode(next) {
          if (!MODES.has(next)) throw new TypeError(`posthog-stand-in: unknown mode ${next} (ok, hang, fail)`)
          mode = next
        },
        setDefinitions,
        etag() {
          return etag
        },
        responses() {
          return { ...answered }
        },
        onRequest(listener) {
          listeners.push(listener)
        },
        onResponse(listener) {
          responseListeners.push(listener)
        },
        close() {
          for (const socket of sockets) socket.destroy()
          return new Promise((done) => server.close(() => done()))
        },
      })
    })
  })
}

module.exports = { start, DEFAULT_DEFINITIONS }

if (require.main === module) {
  const args = process.argv.slice(2)
  const value = (name) => {
    const index = args.indexOf(`--${name}`)
    return index >= 0 ? args[index + 1] : undefined
  }
  start({ port: Number(value('port') ?? 0), mode: value('mode') ?? 'ok' }).then(
    (api) => {
      console.log(
        `PostHog stand-in listening on ${api.url} (GET /api/feature_flag/local_evaluation, POST /batch/, /flags/)`
      )
      api.onRequest((r) =>
        console.log(`${new Date(r.at).toISOString()} ${r.method} ${r.path} -> ${r.kind} #${api.requests(r.kind)}`)
      )
      const stop = () => api.close().then(() => process.exit(0))
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    },
    (error) => {
      console.error(`posthog-stand-in: ${error.message}`)
      process.exit(1)
    }
  )
}
