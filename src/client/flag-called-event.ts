import type { FeatureFlagDetail, FeatureFlagValue, PostHogEventProperties } from '@posthog/core'

export interface FlagCall {
  key: string
  value: FeatureFlagValue | undefined
  locallyEvaluated: boolean
  /** The server's answer; undefined for local results (their metadata is not sent, as upstream). */
  detail?: FeatureFlagDetail
  requestId?: string
}

/**
 * The properties of a `$feature_flag_called` event, in upstream's order. Undefined values (an unanswered flag,
 * metadata of local results) are dropped when the event is serialised.
 */
export function flagCalledProperties(call: FlagCall): PostHogEventProperties {
  const { key, value, detail } = call
  const properties: Record<string, unknown> = {
    $feature_flag: key,
    $feature_flag_response: value,
    $feature_flag_id: detail?.metadata?.id,
    $feature_flag_version: detail?.metadata?.version,
    $feature_flag_reason: detail?.reason?.description ?? detail?.reason?.code,
    locally_evaluated: call.locallyEvaluated,
    [`$feature/${key}`]: value,
    $feature_flag_request_id: call.requestId,
  }
  return properties as PostHogEventProperties
}
