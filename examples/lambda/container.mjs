// One simulated Lambda container for driver.mjs: imports the handler module once (the cold start), then runs one
// invocation per { type: 'invoke', event } message and answers { type: 'result', ... }. Between invocations the
// driver stops this process (SIGSTOP) as Lambda freezes a container, so none of its timers fire meanwhile.
const startedAt = Date.now()
const { handler, posthog } = await import('./handler.mjs')

/** The stamp the driver's stand-in API put into the definitions this container has in memory (see driver.mjs). */
async function definitionsFetchedAt() {
  const stamp = await posthog.getFeatureFlagPayload('definitions-fetched-at', 'driver', true, {
    onlyEvaluateLocally: true,
  })
  return typeof stamp === 'number' ? stamp : undefined
}

let invocations = 0
process.on('message', async (message) => {
  if (message.type !== 'invoke') return
  const cold = invocations++ === 0
  const begun = Date.now()
  try {
    const response = await handler(message.event)
    process.send({
      type: 'result',
      cold,
      durationMs: Date.now() - begun,
      initMs: cold ? begun - startedAt : 0,
      response,
      definitionsFetchedAt: await definitionsFetchedAt(),
    })
  } catch (error) {
    process.send({ type: 'result', cold, error: String(error?.stack ?? error) })
  }
})
process.send({ type: 'ready' })
