import { jsonResponse, type CoreResponse } from './oauth/http.js';
import type { Store } from './storage/store.js';

/**
 * /healthz answers while the process lives; /readyz answers 200 only while the store answers a
 * round trip and the server is not stopping, so a load balancer sends traffic elsewhere meanwhile.
 */
export class Health {
  private draining = false;

  constructor(private readonly store: Store) {}

  /** From now on /readyz answers 503: the server is stopping (SIGTERM) and drains its requests. */
  startDraining(): void {
    this.draining = true;
  }

  live(): CoreResponse {
    return jsonResponse(200, { status: 'ok' }, { 'cache-control': 'no-store' });
  }

  async ready(): Promise<CoreResponse> {
    if (this.draining) return notReady('draining');
    try {
      await this.store.ping();
    } catch (error) {
      console.error(`readiness: the store does not answer: ${(error as Error).message}`);
      return notReady('store_unavailable');
    }
    return jsonResponse(200, { status: 'ready' }, { 'cache-control': 'no-store' });
  }
}

function notReady(reason: string): CoreResponse {
  return jsonResponse(503, { status: 'unavailable', reason }, { 'cache-control': 'no-store' });
}
