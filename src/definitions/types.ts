// Moved to contracts/; this re-export keeps the old path working until every import uses the new one.
export type * from '../contracts/flag-definitions'
