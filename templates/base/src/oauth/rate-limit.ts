import type { RateLimit } from '../config.js';
import type { OAuthContext } from './context.js';
import { RateLimitedError } from './errors.js';
import { header, type CoreRequest } from './http.js';

/** The caller's address. X-Forwarded-For counts only behind a proxy we were told to trust (TRUST_PROXY). */
export function clientAddress(request: CoreRequest, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = header(request, 'x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  return request.remoteAddress;
}

/** Fixed-window limit per client address, counted in the store so instances sharing it share the limit. */
export async function enforceRateLimit(
  name: string,
  limit: RateLimit,
  request: CoreRequest,
  context: OAuthContext,
): Promise<void> {
  const now = context.now();
  const key = `${name}:${clientAddress(request, context.config.trustProxy)}`;
  const hits = await context.store.hitRateLimit(key, limit.windowSeconds, now);
  if (hits > limit.limit)
    throw new RateLimitedError(limit.windowSeconds - (now % limit.windowSeconds));
}
