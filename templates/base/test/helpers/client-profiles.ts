import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { listTools, whoami } from './mcp.js';
import {
  authorizeCode,
  exchangeCode,
  publicClient,
  refresh,
  sharedBrowser,
  type FlowOptions,
  type RegisteredClient,
  type TokenResponse,
} from './oauth.js';
import { startTestServer, type TestServer, type TestServerOptions } from './server.js';

/**
 * What the real clients of server-behaviour §4 send: their Client ID Metadata Documents, their
 * registration requests and their redirect URIs. The test/clients/* files drive these against the server.
 */

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export type ClientDocument = Record<string, unknown> & { client_id: string };

// ---------------------------------------------------------------- claude.ai / Claude Desktop

/** claude.ai's callback, and the claude.com one Anthropic asks servers to allow as well (quirk claude-callbacks). */
export const CLAUDE_CALLBACKS = [
  'https://claude.ai/api/mcp/auth_callback',
  'https://claude.com/api/mcp/auth_callback',
] as const;

export const CLAUDE_AI_DOCUMENT: ClientDocument = {
  client_id: 'https://claude.ai/oauth/mcp-oauth-client-metadata',
  client_name: 'Claude',
  client_uri: 'https://claude.ai',
  redirect_uris: [...CLAUDE_CALLBACKS],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
};

/** claude.ai's Dynamic Client Registration: a confidential client that only uses client_secret_post. */
export const CLAUDE_AI_REGISTRATION = {
  client_name: 'Claude',
  redirect_uris: [...CLAUDE_CALLBACKS],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_post',
};

// ---------------------------------------------------------------- ChatGPT

export const CHATGPT_CALLBACK = 'https://chatgpt.com/connector/oauth/cb_7f3a9d2e41';
export const CHATGPT_LEGACY_CALLBACK = 'https://chatgpt.com/connector_platform_oauth_redirect';

/** ChatGPT prefers private_key_jwt and offers none, as a SEP-3149 array and no single method. */
export const CHATGPT_DOCUMENT: ClientDocument = {
  client_id: 'https://chatgpt.com/oauth/app_4f2c9e/client.json',
  client_name: 'ChatGPT',
  client_uri: 'https://chatgpt.com',
  redirect_uris: [CHATGPT_CALLBACK, CHATGPT_LEGACY_CALLBACK],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_methods_supported: ['private_key_jwt', 'none'],
  jwks_uri: 'https://chatgpt.com/oauth/app_4f2c9e/jwks.json',
};

export const CHATGPT_REGISTRATION = {
  client_name: 'ChatGPT',
  redirect_uris: [CHATGPT_CALLBACK, CHATGPT_LEGACY_CALLBACK],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
};

// ---------------------------------------------------------------- VS Code

export const VSCODE_REDIRECTS = [
  'https://insiders.vscode.dev/redirect',
  'https://vscode.dev/redirect',
  'http://127.0.0.1/',
  'http://127.0.0.1:33418/',
];

/** VS Code's document names the device_code grant, which this server does not offer (quirk cimd-profiles). */
export const VSCODE_DOCUMENT: ClientDocument = {
  client_id: 'https://vscode.dev/oauth/client-metadata.json',
  client_name: 'Visual Studio Code',
  client_uri: 'https://code.visualstudio.com',
  redirect_uris: VSCODE_REDIRECTS,
  grant_types: ['authorization_code', 'refresh_token', DEVICE_CODE_GRANT],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
  application_type: 'native',
};

/** VS Code's fallback registration: grant_types = what the server supports ∩ what VS Code can do. */
export function vscodeRegistration(grantTypesSupported: readonly string[]) {
  return {
    client_name: 'Visual Studio Code',
    client_uri: 'https://code.visualstudio.com',
    redirect_uris: VSCODE_REDIRECTS,
    grant_types: ['authorization_code', 'refresh_token', DEVICE_CODE_GRANT].filter((type) =>
      grantTypesSupported.includes(type),
    ),
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    application_type: 'native',
  };
}

// ---------------------------------------------------------------- Cursor

export const CURSOR_REDIRECTS = [
  'cursor://anysphere.cursor-mcp/oauth/callback',
  'https://www.cursor.com/agents/mcp/oauth/callback',
  'http://localhost:8787/callback',
] as const;

export const CURSOR_REGISTRATION = {
  client_name: 'Cursor',
  redirect_uris: [...CURSOR_REDIRECTS],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
};

// ---------------------------------------------------------------- Claude Code

/** Claude Code's document lists portless loopback callbacks; it listens on a random port (claude-code#37767). */
export const CLAUDE_CODE_DOCUMENT: ClientDocument = {
  client_id: 'https://claude.ai/oauth/claude-code-client-metadata',
  client_name: 'Claude Code',
  client_uri: 'https://claude.com/claude-code',
  redirect_uris: ['http://localhost/callback', 'http://127.0.0.1/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
};

export function claudeCodeRegistration(redirectUri: string) {
  return {
    client_name: 'Claude Code (my-mcp-server)',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  };
}

// ---------------------------------------------------------------- Codex

/** The callback id Codex derives from the server URL (openai/codex#30460). */
export const CODEX_CALLBACK_ID = '6MFBM1In3Ey-';

/** Codex's shared document, or the per-callback one; either lists its /callback/<id> on loopback. */
export function codexDocument(
  url = 'https://chatgpt.com/oauth/codex/client.json',
  callbackId = CODEX_CALLBACK_ID,
): ClientDocument {
  return {
    client_id: url,
    client_name: 'Codex',
    client_uri: 'https://chatgpt.com/codex',
    redirect_uris: [`http://127.0.0.1/callback/${callbackId}`],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  };
}

export function codexRedirect(port: number, callbackId = CODEX_CALLBACK_ID): string {
  return `http://127.0.0.1:${port}/callback/${callbackId}`;
}

// ---------------------------------------------------------------- Gemini CLI

export const GEMINI_CLI_REDIRECT = 'http://localhost:7777/oauth/callback';

export const GEMINI_CLI_REGISTRATION = {
  client_name: 'Gemini CLI MCP Client',
  redirect_uris: [GEMINI_CLI_REDIRECT],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
};

// ---------------------------------------------------------------- Zed

/** Zed's port when it is free; it falls back to any other (zed-industries/zed#56210). */
export const ZED_PREFERRED_PORT = 27523;

export const ZED_DOCUMENT: ClientDocument = {
  client_id: 'https://zed.dev/oauth/client-metadata.json',
  client_name: 'Zed',
  client_uri: 'https://zed.dev',
  redirect_uris: ['http://127.0.0.1/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
};

// ---------------------------------------------------------------- Goose

/** Goose's published document: only authorization_code, OpenID scopes the server does not have. */
export const GOOSE_DOCUMENT: ClientDocument = {
  client_id: 'https://goose-docs.ai/oauth/client-metadata.json',
  client_name: 'Goose',
  redirect_uris: ['http://localhost/oauth_callback'],
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
  scope: 'openid profile email',
  code_challenge_methods_supported: ['S256'],
};

export function gooseRegistration(redirectUri: string) {
  return {
    client_name: 'goose',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  };
}

// ---------------------------------------------------------------- serving the documents

/**
 * The clients' own web servers, on loopback. Each document is served over real HTTP at
 * /<host>/<path>; `fetch` (given to the server as its CIMD fetch) sends a request for the document's
 * real https URL there instead, since tests never leave 127.0.0.1.
 */
export interface DocumentHost {
  fetch: typeof fetch;
  /** How often the server fetched the document at this client_id URL. */
  hits(clientId: string): number;
  close(): Promise<void>;
}

function loopbackPath(clientId: string): string {
  const url = new URL(clientId);
  return `/${url.host}${url.pathname}${url.search}`;
}

export async function startDocumentHost(
  documents: readonly ClientDocument[],
): Promise<DocumentHost> {
  const byPath = new Map(documents.map((document) => [loopbackPath(document.client_id), document]));
  const hits = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const document = byPath.get(path);
    if (!document) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {
      'content-type': 'application/json',
      'cache-control': 'max-age=300',
    });
    response.end(JSON.stringify(document));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const routedFetch: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    return fetch(`${base}${loopbackPath(url)}`, init);
  };
  return {
    fetch: routedFetch,
    hits: (clientId) => hits.get(loopbackPath(clientId)) ?? 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface ProfileServer extends TestServer {
  documents: DocumentHost;
}

/**
 * A test server that fetches these clients' metadata documents from a loopback host.
 * CIMD_ALLOW_PRIVATE_ADDRESSES is the test-only switch that lets the server connect to it.
 */
export async function startProfileServer(
  documents: readonly ClientDocument[],
  env: Record<string, string> = {},
  options: TestServerOptions = {},
): Promise<ProfileServer> {
  const host = await startDocumentHost(documents);
  const server = await startTestServer(
    { CIMD_ALLOW_PRIVATE_ADDRESSES: 'true', ...env },
    { ...options, fetch: host.fetch },
  );
  return {
    ...server,
    documents: host,
    async close() {
      await server.close();
      await host.close();
    },
  };
}

/** How a client that identifies by its document shows up at the token endpoint: no secret, PKCE only. */
export function documentClient(document: ClientDocument, redirectUri: string): RegisteredClient {
  return publicClient(document.client_id, [redirectUri]);
}

// ---------------------------------------------------------------- the whole connection

export interface ConnectedClient {
  tokens: TokenResponse;
  /** The redirect the browser was sent to, with code and state. */
  callback: URL;
}

/**
 * One client's whole connection as it runs in real life: authorize → sign in → consent → code
 * exchange → tools/list and whoami on /mcp → refresh → whoami with the refreshed token.
 * Returns the refreshed pair, which is what the client keeps.
 */
export async function connectAndRefresh(
  server: TestServer,
  client: RegisteredClient,
  options: FlowOptions = {},
): Promise<ConnectedClient> {
  const code = await authorizeCode(sharedBrowser(server), client, options);
  const expectedRedirect = new URL(code.redirectUri);
  expect(`${code.location.origin}${code.location.pathname}`).toBe(
    `${expectedRedirect.origin}${expectedRedirect.pathname}`,
  );
  const exchanged = await exchangeCode(server.url, client, {
    ...code,
    resource: options.tokenResource ?? options.resource,
  });
  expect(exchanged.status, exchanged.text).toBe(200);
  expect(exchanged.json.token_type).toBe('bearer');

  const tools = await listTools(server.url, exchanged.json.access_token);
  expect(tools.status, tools.text).toBe(200);
  expect(tools.message?.result?.tools).toEqual(
    expect.arrayContaining([expect.objectContaining({ name: 'whoami' })]),
  );
  const identity = await whoami(server.url, exchanged.json.access_token);
  expect(identity.clientId).toBe(client.client_id);
  expect(identity.userId).toBe(server.user.userId);

  const refreshed = await refresh(server.url, client, exchanged.json.refresh_token);
  expect(refreshed.status, refreshed.text).toBe(200);
  expect(refreshed.json.refresh_token).not.toBe(exchanged.json.refresh_token);
  expect((await whoami(server.url, refreshed.json.access_token)).clientId).toBe(client.client_id);
  return { tokens: refreshed.json, callback: code.location };
}
