/**
 * The properties flags are evaluated against, locally and remotely: the distinct id is always known as the person
 * property `distinct_id` (callers may override it), and each group the call names knows its own key as
 * `$group_key`. Group properties of group types the call does not name are dropped: they could not apply.
 */
export function withDefaultFlagProperties<P, G>(
  distinctId: string,
  groups: Record<string, string | number> | undefined,
  personProperties: Record<string, P> | undefined,
  groupProperties: Record<string, Record<string, G>> | undefined
): {
  personProperties: Record<string, P | string>
  groupProperties: Record<string, Record<string, G | string | number>>
} {
  const allGroupProperties: Record<string, Record<string, G | string | number>> = {}
  for (const groupType of Object.keys(groups ?? {})) {
    allGroupProperties[groupType] = { $group_key: groups![groupType], ...(groupProperties?.[groupType] ?? {}) }
  }
  return {
    personProperties: { distinct_id: distinctId, ...(personProperties ?? {}) },
    groupProperties: allGroupProperties,
  }
}
