import { StoreUnavailableError, type Store } from './store.js';

/**
 * The store with every method's outage errors (as `isOutage` recognises them) turned into
 * StoreUnavailableError. Other errors pass through as they are.
 */
export function reportingOutages(store: Store, isOutage: (error: unknown) => boolean): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        try {
          return await (value as (...values: unknown[]) => Promise<unknown>).apply(target, args);
        } catch (error) {
          throw isOutage(error) ? new StoreUnavailableError(error) : error;
        }
      };
    },
  });
}

/** Socket errors that mean the storage server is unreachable, not that a request was wrong. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

export function isNetworkError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NETWORK_ERROR_CODES.has(code);
}
