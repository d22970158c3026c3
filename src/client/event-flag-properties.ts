import type { FeatureFlagValue } from '@posthog/core'

/**
 * The properties an event carries for its flags: `$feature/<key>` for each flag (false included) and
 * `$active_feature_flags`, the sorted keys of the flags that are not false, when there is at least one.
 */
export function flagPropertiesForEvent(
  flags: Record<string, FeatureFlagValue> | undefined
): Record<string, FeatureFlagValue | string[]> {
  const properties: Record<string, FeatureFlagValue | string[]> = {}
  if (!flags) {
    return properties
  }
  for (const [key, value] of Object.entries(flags)) {
    properties[`$feature/${key}`] = value
  }
  const active = Object.keys(flags)
    .filter((key) => flags[key] !== false)
    .sort()
  if (active.length > 0) {
    properties.$active_feature_flags = active
  }
  return properties
}
