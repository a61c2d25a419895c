import type { Config } from '../config.js';
import type { Store } from './store.js';

/**
 * One pass of the maintenance loop (every PURGE_INTERVAL_SECONDS): expired codes, tokens, sessions
 * and cache entries, then the registered clients nobody uses any more (quirk client-retention).
 * A client holding a live grant is never deleted, however long ago it was last used.
 */
export async function runMaintenance(
  store: Store,
  config: Config,
  now: number,
): Promise<{ clientsPurged: number }> {
  await store.purgeExpired(now);
  const clientsPurged = await store.purgeStaleClients(now, {
    usedSeconds: config.clientRetentionSeconds,
    unusedSeconds: config.unusedClientRetentionSeconds,
  });
  return { clientsPurged };
}
