import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Client } from '../storage/store.js';
import type { OAuthContext } from './context.js';
import { OAuthError } from './errors.js';
import { redirectUriProblem } from './redirect-uri.js';

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

function isPrivateAddress(address: string): boolean {
  if (isIP(address) === 6) {
    const lower = address.toLowerCase();
    if (lower.startsWith('::ffff:')) return isPrivateAddress(lower.slice(7));
    return lower === '::1' || lower === '::' || /^f[cd]/.test(lower) || /^fe[89ab]/.test(lower);
  }
  const [a = 0, b = 0] = address.split('.').map(Number);
  return (
    a === 10 ||
    a === 127 ||
    a === 0 ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127) ||
    a >= 224
  );
}

async function resolveAddresses(host: string): Promise<string[]> {
  try {
    return (await lookup(host, { all: true })).map((entry) => entry.address);
  } catch {
    throw new OAuthError('invalid_client', `The client metadata host ${host} does not resolve`);
  }
}

async function assertPublicHost(url: URL): Promise<void> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : await resolveAddresses(host);
  if (addresses.length === 0 || addresses.some(isPrivateAddress)) {
    throw new OAuthError(
      'invalid_client',
      'The client metadata document is on a private or loopback address',
    );
  }
}

async function readLimited(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_DOCUMENT_BYTES) {
      await reader.cancel();
      throw new OAuthError('invalid_client', 'The client metadata document is larger than 5 KB');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function cacheSeconds(response: Response): number {
  const cacheControl = response.headers.get('cache-control') ?? '';
  if (/no-store|no-cache/i.test(cacheControl)) return 0;
  const maxAge = /max-age=(\d+)/i.exec(cacheControl)?.[1];
  return Math.min(maxAge ? Number(maxAge) : DEFAULT_CACHE_SECONDS, MAX_CACHE_SECONDS);
}

function clientFromDocument(url: string, document: Record<string, unknown>, now: number): Client {
  const { client_id, client_name, redirect_uris } = document;
  if (client_id !== url) {
    throw new OAuthError(
      'invalid_client',
      'The client metadata document names a different client_id',
    );
  }
  if (typeof client_name !== 'string' || client_name.trim() === '') {
    throw new OAuthError('invalid_client', 'The client metadata document has no client_name');
  }
  if (
    !Array.isArray(redirect_uris) ||
    redirect_uris.length === 0 ||
    !redirect_uris.every((uri) => typeof uri === 'string' && redirectUriProblem(uri) === undefined)
  ) {
    throw new OAuthError(
      'invalid_client',
      'The client metadata document has no valid redirect_uris',
    );
  }
  // Documents authenticate with nothing or private_key_jwt; we treat them as public clients bound by PKCE.
  return {
    clientId: url,
    clientSecretHash: null,
    clientName: client_name,
    redirectUris: redirect_uris as string[],
    grantTypes: ['authorization_code', 'refresh_token'],
    responseTypes: ['code'],
    tokenEndpointAuthMethod: 'none',
    metadata: {},
    createdAt: now,
  };
}

async function fetchDocument(
  url: string,
  context: OAuthContext,
): Promise<{ document: Record<string, unknown>; maxAge: number }> {
  if (!context.config.cimdAllowPrivateAddresses) await assertPublicHost(new URL(url));
  let response: Response;
  try {
    response = await context.fetch(url, {
      redirect: 'manual',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch {
    throw new OAuthError('invalid_client', 'The client metadata document could not be fetched');
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new OAuthError(
      'invalid_client',
      `The client metadata document answered ${response.status}, not 200`,
    );
  }
  const text = await readLimited(response);
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

export async function resolveClientMetadataDocument(
  url: string,
  context: OAuthContext,
): Promise<Client> {
  const now = context.now();
  const cached = await context.store.getCachedClientMetadata(url, now);
  if (cached) return clientFromDocument(url, cached.document, now);
  const { document, maxAge } = await fetchDocument(url, context);
  const client = clientFromDocument(url, document, now);
  if (maxAge > 0)
    await context.store.putCachedClientMetadata({ url, document, expiresAt: now + maxAge });
  return client;
}
