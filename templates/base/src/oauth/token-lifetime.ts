import type { Config } from '../config.js';
import type { Client } from '../storage/store.js';

/**
 * How long this client's access tokens live: ACCESS_TOKEN_TTL, unless ACCESS_TOKEN_TTL_OVERRIDES
 * names the host of one of its registered redirect URIs (quirk token-lifetime-overrides). When
 * several of its hosts are named, the longest of their lifetimes wins.
 */
export function accessTokenLifetime(client: Client, config: Config): number {
  const overrides = client.redirectUris
    .map((uri) => config.accessTokenTtlOverrides.get(redirectHost(uri)))
    .filter((seconds): seconds is number => seconds !== undefined);
  return overrides.length > 0 ? Math.max(...overrides) : config.accessTokenTtl;
}

function redirectHost(uri: string): string {
  try {
    return new URL(uri).hostname.toLowerCase();
  } catch {
    return '';
  }
}
