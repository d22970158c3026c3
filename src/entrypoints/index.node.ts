// STUB until the client lands.
export type { FlagDefinitionCacheProvider, FlagDefinitionCacheData } from '../experimental/provider'
export class PostHog {
  constructor(readonly apiKey: string) {}
}
