import type { RateLimit } from '../config.js';
import type { Store } from '../storage/store.js';
import { addressKey, clientAddress } from './client-address.js';
import type { OAuthContext } from './context.js';
import { RateLimitedError } from './errors.js';
import type { CoreRequest } from './http.js';

/** Counts hits per key in fixed windows that start at multiples of windowSeconds. */
export interface RateCounter {
  /** Adds `hits` (default 1; 0 only reads) to `key` in the window containing `now`; returns the window's total. */
  hit(key: string, windowSeconds: number, now: number, hits?: number): Promise<number>;
}

interface Window {
  windowEnd: number;
  hits: number;
}

/** Counters in this process's memory: no storage round trip per request. */
export class InProcessRateCounter implements RateCounter {
  private readonly windows = new Map<string, Window>();
  private nextSweep = 0;

  async hit(key: string, windowSeconds: number, now: number, hits = 1): Promise<number> {
    this.sweep(now);
    const windowEnd = now - (now % windowSeconds) + windowSeconds;
    const name = `${windowSeconds}:${key}`;
    const current = this.windows.get(name);
    if (current && current.windowEnd >= windowEnd) {
      current.hits += hits;
      return current.hits;
    }
    this.windows.set(name, { windowEnd, hits });
    return hits;
  }

  /** Forgets finished windows, at most once a minute, so the map stays as small as the traffic. */
  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    for (const [name, window] of this.windows)
      if (window.windowEnd <= now) this.windows.delete(name);
    this.nextSweep = now + 60;
  }
}

/**
 * Where limits are counted. A store that several server instances share over the network
 * (PostgreSQL, Redis) counts them itself, so the instances share one limit; with SQLite and
 * memory storage each process counts in memory.
 */
export function createRateCounter(store: Store): RateCounter {
  if (!store.hitRateLimit) return new InProcessRateCounter();
  return {
    hit: (key, windowSeconds, now, hits) => store.hitRateLimit!(key, windowSeconds, now, hits),
  };
}

export function secondsLeftInWindow(windowSeconds: number, now: number): number {
  return windowSeconds - (now % windowSeconds);
}

/** Counts one request for `subject` (an address key, a client id, an account) under `name`. */
export async function enforceRateLimit(
  name: string,
  limit: RateLimit,
  subject: string,
  context: OAuthContext,
): Promise<void> {
  const now = context.now();
  const hits = await context.rateCounter.hit(`${name}:${subject}`, limit.windowSeconds, now);
  if (hits > limit.limit) throw new RateLimitedError(secondsLeftInWindow(limit.windowSeconds, now));
}

/** The key the caller's address is counted under (TRUST_PROXY applied, IPv6 per /64). */
export function requestAddressKey(request: CoreRequest, context: OAuthContext): string {
  return addressKey(clientAddress(request, context.config.trustProxy));
}
