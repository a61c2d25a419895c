import type { Config } from '../config.js';
import type { Store } from '../storage/store.js';
import type { RateCounter } from './rate-limit.js';

/** What every OAuth handler works with. `now` is injectable so tests can move time. */
export interface OAuthContext {
  config: Config;
  store: Store;
  /** Unix epoch seconds. */
  now: () => number;
  /** Used for Client ID Metadata Documents. */
  fetch: typeof fetch;
  /** Where rate limits are counted (see createRateCounter). */
  rateCounter: RateCounter;
}
