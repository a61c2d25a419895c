import type { Client } from '../storage/store.js';
import type { OAuthContext } from './context.js';
import { OAuthError } from './errors.js';
import { redirectUriProblem } from './redirect-uri.js';
import { SUPPORTED_GRANT_TYPES } from './register.js';

/**
 * Client ID Metadata Documents (MCP 2025-11-25 client registration, quirk cimd): a client_id that is
 * an https URL with a path names a JSON document the client hosts about itself.
 */
const FETCH_TIMEOUT_MS = 5000;
const MAX_DOCUMENT_BYTES = 5 * 1024;
const DEFAULT_CACHE_SECONDS = 300;
const MAX_CACHE_SECONDS = 24 * 3600;

export function isClientMetadataUrl(clientId: string, allowPrivateAddresses: boolean): boolean {
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    return false;
  }
  const secure = url.protocol === 'https:' || (allowPrivateAddresses && url.protocol === 'http:');
  return secure && url.pathname.length > 1 && !url.hash && !url.username && !url.password;
}

/** One answer for every way a fetch can fail, so it tells nothing about DNS, ports or addresses. */
const FETCH_FAILED = 'The client metadata document could not be fetched';

/** The operator sees the real reason in the log; the client and the user see FETCH_FAILED. */
function fetchFailed(url: string, reason: string): OAuthError {
  console.warn(`client metadata document ${url} not fetched: ${reason}`);
  return new OAuthError('invalid_client', FETCH_FAILED);
}

/**
 * The auth methods a document's client can use here: a document cannot hold a secret, and
 * private_key_jwt is not implemented, so a client with a document is a public client bound by PKCE.
 */
const DOCUMENT_AUTH_METHODS: readonly string[] = ['none'];

/** Fetches in flight per app: concurrent requests naming one document share one fetch. */
const fetchesInFlight = new WeakMap<OAuthContext, Map<string, Promise<Record<string, unknown>>>>();

async function readLimited(url: string, response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const chunk = await reader.read().catch((error: unknown) => {
      throw fetchFailed(url, `reading the body failed (${(error as Error).message})`);
    });
    if (chunk.done) break;
    size += chunk.value.byteLength;
    if (size > MAX_DOCUMENT_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw fetchFailed(url, `larger than ${MAX_DOCUMENT_BYTES} bytes`);
    }
    chunks.push(chunk.value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function cacheSeconds(response: Response): number {
  const cacheControl = response.headers.get('cache-control') ?? '';
  if (/no-store|no-cache/i.test(cacheControl)) return 0;
  const maxAge = /max-age=(\d+)/i.exec(cacheControl)?.[1];
  return Math.min(maxAge ? Number(maxAge) : DEFAULT_CACHE_SECONDS, MAX_CACHE_SECONDS);
}

/**
 * SEP-3149: a document may list the methods it can use; the client gets one both sides support.
 * A document naming no method at all is a public client (quirk cimd-profiles).
 */
function documentAuthMethod(document: Record<string, unknown>): 'none' {
  const { token_endpoint_auth_methods_supported: offered, token_endpoint_auth_method: declared } =
    document;
  const methods = offered !== undefined ? offered : declared !== undefined ? [declared] : ['none'];
  if (
    !Array.isArray(methods) ||
    !methods.some((method) => DOCUMENT_AUTH_METHODS.includes(method))
  ) {
    throw new OAuthError(
      'invalid_client_metadata',
      'The client metadata document offers no token endpoint auth method this server supports (none)',
    );
  }
  return 'none';
}

/** Registered URIs that fail validation are dropped, not fatal, as long as one usable URI is left. */
function documentRedirectUris(document: Record<string, unknown>): string[] {
  const { redirect_uris } = document;
  const usable = Array.isArray(redirect_uris)
    ? redirect_uris.filter(
        (uri): uri is string => typeof uri === 'string' && redirectUriProblem(uri) === undefined,
      )
    : [];
  if (usable.length === 0) {
    throw new OAuthError(
      'invalid_client',
      'The client metadata document has no valid redirect_uris',
    );
  }
  return usable;
}

function clientFromDocument(url: string, document: Record<string, unknown>, now: number): Client {
  const { client_id, client_name } = document;
  if (client_id !== url) {
    throw new OAuthError(
      'invalid_client',
      'The client metadata document names a different client_id',
    );
  }
  if (typeof client_name !== 'string' || client_name.trim() === '') {
    throw new OAuthError('invalid_client', 'The client metadata document has no client_name');
  }
  return {
    clientId: url,
    clientSecretHash: null,
    clientName: client_name,
    redirectUris: documentRedirectUris(document),
    // Grant types the document lists beyond ours (VS Code lists device_code) are ignored, never fatal.
    grantTypes: [...SUPPORTED_GRANT_TYPES],
    responseTypes: ['code'],
    tokenEndpointAuthMethod: documentAuthMethod(document),
    metadata: {},
    createdAt: now,
  };
}

async function countFetchFromHost(url: URL, context: OAuthContext): Promise<void> {
  const { limit, windowSeconds } = context.config.cimdFetchLimit;
  const key = `cimd-fetch:${url.hostname}`;
  if ((await context.rateCounter.hit(key, windowSeconds, context.now())) > limit) {
    throw fetchFailed(
      url.href,
      `more than ${limit} fetches from ${url.hostname} in ${windowSeconds} s`,
    );
  }
}

async function fetchDocument(
  url: string,
  context: OAuthContext,
): Promise<{ document: Record<string, unknown>; maxAge: number }> {
  await countFetchFromHost(new URL(url), context);
  let response: Response;
  try {
    response = await context.fetch(url, {
      redirect: 'manual',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch (error) {
    throw fetchFailed(url, (error as Error).message);
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw fetchFailed(url, `answered ${response.status}, not 200`);
  }
  const text = await readLimited(url, response);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new OAuthError('invalid_client', 'The client metadata document is not JSON');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new OAuthError('invalid_client', 'The client metadata document is not a JSON object');
  }
  return { document: document as Record<string, unknown>, maxAge: cacheSeconds(response) };
}

/** Fetches, validates and caches a document; callers asking for one URL meanwhile share this. */
function fetchValidDocument(url: string, context: OAuthContext): Promise<Record<string, unknown>> {
  const fetches = fetchesInFlight.get(context) ?? new Map();
  fetchesInFlight.set(context, fetches);
  const inFlight = fetches.get(url);
  if (inFlight) return inFlight;
  const fetching = (async () => {
    const { document, maxAge } = await fetchDocument(url, context);
    const now = context.now();
    clientFromDocument(url, document, now);
    if (maxAge > 0)
      await context.store.putCachedClientMetadata({ url, document, expiresAt: now + maxAge });
    return document;
  })().finally(() => fetches.delete(url));
  fetches.set(url, fetching);
  return fetching;
}

export async function resolveClientMetadataDocument(
  url: string,
  context: OAuthContext,
): Promise<Client> {
  const now = context.now();
  const cached = await context.store.getCachedClientMetadata(url, now);
  const document = cached?.document ?? (await fetchValidDocument(url, context));
  return clientFromDocument(url, document, now);
}
