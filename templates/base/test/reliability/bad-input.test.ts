import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomToken, sha256 } from '../../src/oauth/crypto.js';
import { findForm, linkTargets, submission } from '../helpers/html.js';
import { MCP_PROTOCOL_VERSION } from '../helpers/mcp.js';
import {
  Browser,
  authorizeCode,
  authorizeUrl,
  exchangeCode,
  formBody,
  grantTokens,
  pkcePair,
  randomState,
  registerClient,
  revoke,
  sharedBrowser,
  tokenRequest,
  type AuthorizeParams,
  type ConsentPage,
  type RegisteredClient,
  type TokenResponse,
} from '../helpers/oauth.js';
import { TEST_ACCOUNT, startTestServer, type TestServer } from '../helpers/server.js';
import { insertGrant } from '../helpers/tokens.js';

/**
 * A catalogue of hostile and broken requests against every endpoint. Each case names the exact
 * answer: an OAuth error as JSON, an HTML error page (never a redirect), an error page linking the
 * error response to the client's registered redirect URI (an error found before the user decided), or
 * an error redirect there (the user's own decision). No case may produce a 5xx, a stack trace, or a
 * Location that points anywhere but the client's own registered URI.
 */

const REDIRECT = 'https://app.example.com/callback';
const ATTACKER = 'evil.example';

interface Fixture {
  server: TestServer;
  /** A public client with one registered redirect URI. */
  app: RegisteredClient;
  /** A confidential client (client_secret_basic) with the same redirect URI. */
  confidential: RegisteredClient;
  /** A public client with two redirect URIs, so /authorize needs redirect_uri. */
  twoUris: RegisteredClient;
  /** A token pair of `app`. */
  tokens: TokenResponse;
  browser: Browser;
}

/** What a case must answer. */
type Expected =
  | { status: number; error: string }
  | { status: number; page: true }
  | { status: 302; redirectError: string }
  | { status: 400; linkedError: string }
  | { status: number; ok: true; absent?: string };

interface Case {
  endpoint: string;
  name: string;
  send: (fixture: Fixture) => Promise<Response>;
  expect: Expected;
}

// ---------------------------------------------------------------- request builders

function raw(
  fixture: Fixture,
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string } = {},
): Promise<Response> {
  return fetch(`${fixture.server.url}${path}`, {
    method,
    redirect: 'manual',
    headers: init.headers ?? {},
    ...(init.body === undefined ? {} : { body: init.body }),
  });
}

function json(fixture: Fixture, path: string, body: unknown, contentType = 'application/json') {
  return raw(fixture, 'POST', path, {
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function form(
  fixture: Fixture,
  path: string,
  fields: [string, string][] | Record<string, string>,
  headers: Record<string, string> = {},
) {
  return raw(fixture, 'POST', path, {
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: formBody(fields).toString(),
  });
}

/** A DCR request: valid metadata with `overrides` applied (undefined removes a field). */
function registerWith(fixture: Fixture, overrides: Record<string, unknown>) {
  const metadata: Record<string, unknown> = {
    client_name: 'Bad input',
    redirect_uris: [REDIRECT],
    token_endpoint_auth_method: 'none',
    ...overrides,
  };
  return json(fixture, '/oauth/register', metadata);
}

/** A valid /authorize request of `app` with `overrides` applied (undefined removes a parameter). */
function authorizeParams(
  fixture: Fixture,
  overrides: Record<string, string | string[] | undefined> = {},
): AuthorizeParams {
  return {
    response_type: 'code',
    client_id: fixture.app.client_id,
    redirect_uri: REDIRECT,
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
    state: 'fixed-state',
    ...overrides,
  } as AuthorizeParams;
}

function authorizeWith(fixture: Fixture, overrides: Record<string, string | string[] | undefined>) {
  return fixture.browser.get(authorizeUrl(fixture.server.url, authorizeParams(fixture, overrides)));
}

/** The appended query of a raw authorize URL, for parameters URLSearchParams would encode. */
function authorizeRawQuery(fixture: Fixture, query: string) {
  return fixture.browser.get(`/oauth/authorize?${query}`);
}

/** Opens the consent page of `app` and posts its form with `edit` applied to the fields. */
async function consentWith(
  fixture: Fixture,
  edit: (fields: [string, string][]) => [string, string][],
  headers: Record<string, string> = {},
) {
  const page: ConsentPage = await fixture.browser.openConsent(authorizeParams(fixture));
  const fields = submission(page.form, { button: { name: 'decision', value: 'approve' } });
  return fixture.browser.post(page.form.action, edit(fields), headers);
}

function replace(name: string, value: string | undefined) {
  return (fields: [string, string][]): [string, string][] => {
    const kept = fields.filter(([field]) => field !== name);
    return value === undefined ? kept : [...kept, [name, value]];
  };
}

/** A signed-out browser's login form for `app`, posted with `edit` applied. */
async function loginWith(
  fixture: Fixture,
  edit: (fields: [string, string][]) => [string, string][],
  headers: Record<string, string> = {},
) {
  const browser = new Browser(fixture.server);
  const page = await browser.get(authorizeUrl(fixture.server.url, authorizeParams(fixture)));
  const loginForm = findForm(await page.text(), '/oauth/login');
  if (!loginForm) throw new Error('no login form');
  const fields = submission(loginForm, {
    values: { email: TEST_ACCOUNT.email, password: TEST_ACCOUNT.password },
  });
  return browser.post(loginForm.action, edit(fields), headers);
}

function tokenForm(fixture: Fixture, client: RegisteredClient, fields: Record<string, string>) {
  return rawTokenRequest(fixture, client, Object.entries(fields));
}

/** A token request through the client's own authentication, returned as a Response. */
async function rawTokenRequest(
  fixture: Fixture,
  client: RegisteredClient,
  fields: [string, string][],
  path = '/oauth/token',
): Promise<Response> {
  const result = await tokenRequest(fixture.server.url, client, fields, path);
  return new Response(result.text || null, { status: result.status, headers: result.headers });
}

async function freshCode(fixture: Fixture, client: RegisteredClient = fixture.app) {
  return authorizeCode(fixture.browser, client);
}

function codeExchange(
  fixture: Fixture,
  client: RegisteredClient,
  code: { code: string; verifier: string; redirectUri: string },
  overrides: Record<string, string | undefined> = {},
) {
  const fields: Record<string, string | undefined> = {
    grant_type: 'authorization_code',
    code: code.code,
    code_verifier: code.verifier,
    redirect_uri: code.redirectUri,
    ...overrides,
  };
  return rawTokenRequest(
    fixture,
    client,
    Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

async function freshRefreshToken(fixture: Fixture): Promise<string> {
  const { tokens } = await grantTokens(fixture.server, {
    client: fixture.app,
    browser: fixture.browser,
  });
  return tokens.refresh_token;
}

function mcp(fixture: Fixture, headers: Record<string, string>, body?: string) {
  return raw(fixture, 'POST', '/mcp', {
    headers: {
      accept: 'application/json, text/event-stream',
      'content-type': 'application/json',
      'mcp-protocol-version': MCP_PROTOCOL_VERSION,
      ...headers,
    },
    body: body ?? JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
  });
}

function bearer(fixture: Fixture, value: string) {
  return mcp(fixture, { authorization: value });
}

// ---------------------------------------------------------------- the catalogue

const invalidRequest = (status = 400) => ({ status, error: 'invalid_request' });
const invalidRedirectUri = { status: 400, error: 'invalid_redirect_uri' };
const invalidMetadata = { status: 400, error: 'invalid_client_metadata' };
const invalidClient = { status: 401, error: 'invalid_client' };
const invalidGrant = { status: 400, error: 'invalid_grant' };
const page = (status: number) => ({ status, page: true as const });
const redirectError = (error: string) => ({ status: 302 as const, redirectError: error });
const linkedError = (error: string) => ({ status: 400 as const, linkedError: error });
const invalidToken = { status: 401, error: 'invalid_token' };

/** One row of the catalogue: what is sent, and the exact answer it must get. */
type Row = [name: string, send: Case['send'], expected: Expected];

function cases(endpoint: string, rows: Row[]): Case[] {
  return rows.map(([name, send, expected]) => ({ endpoint, name, send, expect: expected }));
}

const registerCases = cases('register', [
  ['malformed JSON', (f) => json(f, '/oauth/register', '{"redirect_uris": ['), invalidRequest()],
  ['a JSON array', (f) => json(f, '/oauth/register', '[]'), invalidRequest()],
  ['a JSON string', (f) => json(f, '/oauth/register', '"client"'), invalidRequest()],
  ['JSON null', (f) => json(f, '/oauth/register', 'null'), invalidRequest()],
  ['an empty body', (f) => json(f, '/oauth/register', ''), invalidRequest()],
  [
    'text/plain content type',
    (f) => json(f, '/oauth/register', { redirect_uris: [REDIRECT] }, 'text/plain'),
    invalidRequest(),
  ],
  ['a form body', (f) => form(f, '/oauth/register', { redirect_uris: REDIRECT }), invalidRequest()],
  [
    'no content type',
    (f) =>
      raw(f, 'POST', '/oauth/register', { body: JSON.stringify({ redirect_uris: [REDIRECT] }) }),
    invalidRequest(),
  ],
  [
    'a 70 KB body',
    (f) => registerWith(f, { client_name: 'x'.repeat(70_000) }),
    invalidRequest(413),
  ],
  ['no redirect_uris', (f) => registerWith(f, { redirect_uris: undefined }), invalidRedirectUri],
  ['empty redirect_uris', (f) => registerWith(f, { redirect_uris: [] }), invalidRedirectUri],
  [
    'redirect_uris as a string',
    (f) => registerWith(f, { redirect_uris: REDIRECT }),
    invalidRedirectUri,
  ],
  ['a number as redirect URI', (f) => registerWith(f, { redirect_uris: [42] }), invalidRedirectUri],
  [
    'a javascript: redirect URI',
    (f) => registerWith(f, { redirect_uris: ['javascript:alert(1)'] }),
    invalidRedirectUri,
  ],
  [
    'a data: redirect URI',
    (f) => registerWith(f, { redirect_uris: ['data:text/html,<script>alert(1)</script>'] }),
    invalidRedirectUri,
  ],
  [
    'a file: redirect URI',
    (f) => registerWith(f, { redirect_uris: ['file:///etc/passwd'] }),
    invalidRedirectUri,
  ],
  [
    'a vbscript: redirect URI',
    (f) => registerWith(f, { redirect_uris: ['vbscript:msgbox(1)'] }),
    invalidRedirectUri,
  ],
  [
    'a redirect URI with user information',
    (f) => registerWith(f, { redirect_uris: [`https://app.example.com:pw@${ATTACKER}/cb`] }),
    invalidRedirectUri,
  ],
  [
    'a redirect URI with a fragment',
    (f) => registerWith(f, { redirect_uris: [`${REDIRECT}#fragment`] }),
    invalidRedirectUri,
  ],
  [
    'a redirect URI with encoded CRLF',
    (f) => registerWith(f, { redirect_uris: [`${REDIRECT}%0d%0aSet-Cookie:%20x=1`] }),
    invalidRedirectUri,
  ],
  [
    'a redirect URI with a raw newline',
    (f) => registerWith(f, { redirect_uris: [`${REDIRECT}\nx`] }),
    invalidRedirectUri,
  ],
  [
    'a redirect URI with a backslash',
    (f) => registerWith(f, { redirect_uris: [`https://app.example.com\\@${ATTACKER}/cb`] }),
    invalidRedirectUri,
  ],
  [
    'plain http on a public host',
    (f) => registerWith(f, { redirect_uris: [`http://${ATTACKER}/cb`] }),
    invalidRedirectUri,
  ],
  [
    'a relative redirect URI',
    (f) => registerWith(f, { redirect_uris: ['/callback'] }),
    invalidRedirectUri,
  ],
  [
    'an unsupported token_endpoint_auth_method',
    (f) => registerWith(f, { token_endpoint_auth_method: 'private_key_jwt' }),
    invalidMetadata,
  ],
  [
    'response_types without code',
    (f) => registerWith(f, { response_types: ['token'] }),
    invalidMetadata,
  ],
]);

const authorizeCases = cases('authorize', [
  ['no client_id', (f) => authorizeWith(f, { client_id: undefined }), page(400)],
  ['an unknown client_id', (f) => authorizeWith(f, { client_id: 'no-such-client' }), page(400)],
  [
    'a duplicate client_id',
    (f) => authorizeWith(f, { client_id: [f.app.client_id, f.app.client_id] }),
    page(400),
  ],
  [
    'an unregistered redirect_uri (open redirect attempt)',
    (f) => authorizeWith(f, { redirect_uri: `https://${ATTACKER}/callback` }),
    page(400),
  ],
  [
    'a redirect_uri with userinfo pointing elsewhere',
    (f) => authorizeWith(f, { redirect_uri: `https://app.example.com@${ATTACKER}/callback` }),
    page(400),
  ],
  [
    'a redirect_uri on a look-alike host',
    (f) => authorizeWith(f, { redirect_uri: `https://app.example.com.${ATTACKER}/callback` }),
    page(400),
  ],
  [
    'a redirect_uri with an extra path segment',
    (f) => authorizeWith(f, { redirect_uri: `${REDIRECT}/../../${ATTACKER}` }),
    page(400),
  ],
  [
    'a redirect_uri with an added query',
    (f) => authorizeWith(f, { redirect_uri: `${REDIRECT}?next=https://${ATTACKER}` }),
    page(400),
  ],
  [
    'a redirect_uri with a fragment',
    (f) => authorizeWith(f, { redirect_uri: `${REDIRECT}#${ATTACKER}` }),
    page(400),
  ],
  [
    'a javascript: redirect_uri',
    (f) => authorizeWith(f, { redirect_uri: 'javascript:alert(document.domain)' }),
    page(400),
  ],
  [
    'a data: redirect_uri',
    (f) => authorizeWith(f, { redirect_uri: 'data:text/html,<script>alert(1)</script>' }),
    page(400),
  ],
  [
    'a redirect_uri with encoded CRLF',
    (f) =>
      authorizeRawQuery(
        f,
        `client_id=${f.app.client_id}&redirect_uri=${encodeURIComponent(REDIRECT)}%250d%250aLocation:%2520https://${ATTACKER}&response_type=code`,
      ),
    page(400),
  ],
  [
    'a protocol-relative redirect_uri',
    (f) => authorizeWith(f, { redirect_uri: `//${ATTACKER}/callback` }),
    page(400),
  ],
  [
    'a duplicate redirect_uri',
    (f) => authorizeWith(f, { redirect_uri: [REDIRECT, `https://${ATTACKER}/callback`] }),
    page(400),
  ],
  [
    'no redirect_uri when two are registered',
    (f) => authorizeWith(f, { client_id: f.twoUris.client_id, redirect_uri: undefined }),
    page(400),
  ],
  [
    'an unregistered redirect_uri with an otherwise broken request',
    (f) => authorizeWith(f, { redirect_uri: `https://${ATTACKER}/cb`, response_type: 'token' }),
    page(400),
  ],
  [
    'no response_type',
    (f) => authorizeWith(f, { response_type: undefined }),
    linkedError('invalid_request'),
  ],
  [
    'a client metadata document URL whose host does not resolve',
    (f) => authorizeWith(f, { client_id: 'https://unresolvable.invalid/client.json' }),
    page(400),
  ],
  [
    'response_type=token',
    (f) => authorizeWith(f, { response_type: 'token' }),
    linkedError('unsupported_response_type'),
  ],
  [
    'response_type=code token',
    (f) => authorizeWith(f, { response_type: 'code token' }),
    linkedError('unsupported_response_type'),
  ],
  [
    'no code_challenge',
    (f) => authorizeWith(f, { code_challenge: undefined }),
    linkedError('invalid_request'),
  ],
  [
    'code_challenge_method=plain',
    (f) => authorizeWith(f, { code_challenge_method: 'plain' }),
    linkedError('invalid_request'),
  ],
  [
    'no code_challenge_method',
    (f) => authorizeWith(f, { code_challenge_method: undefined }),
    linkedError('invalid_request'),
  ],
  [
    'a 42-character code_challenge',
    (f) => authorizeWith(f, { code_challenge: 'a'.repeat(42) }),
    linkedError('invalid_request'),
  ],
  [
    'a 129-character code_challenge',
    (f) => authorizeWith(f, { code_challenge: 'a'.repeat(129) }),
    linkedError('invalid_request'),
  ],
  [
    'a code_challenge with characters outside base64url',
    (f) => authorizeWith(f, { code_challenge: `${'a'.repeat(42)}=` }),
    linkedError('invalid_request'),
  ],
  [
    'a duplicate code_challenge',
    (f) => authorizeWith(f, { code_challenge: [pkcePair().challenge, pkcePair().challenge] }),
    linkedError('invalid_request'),
  ],
  [
    'a duplicate response_type',
    (f) => authorizeWith(f, { response_type: ['code', 'code'] }),
    linkedError('invalid_request'),
  ],
  [
    'a duplicate scope',
    (f) => authorizeWith(f, { scope: ['mcp:read', 'mcp:write'] }),
    linkedError('invalid_request'),
  ],
  [
    'a resource on another server',
    (f) => authorizeWith(f, { resource: `https://${ATTACKER}/mcp` }),
    linkedError('invalid_target'),
  ],
  [
    'prompt=none while signed in',
    (f) => authorizeWith(f, { prompt: 'none' }),
    linkedError('consent_required'),
  ],
  [
    'prompt=none while signed out',
    (f) =>
      new Browser(f.server).get(authorizeUrl(f.server.url, authorizeParams(f, { prompt: 'none' }))),
    linkedError('login_required'),
  ],
  [
    'state with CR LF and a header (refused at the input, no header injected)',
    (f) => authorizeWith(f, { response_type: 'token', state: '\r\nSet-Cookie: injected=1' }),
    page(400),
  ],
  [
    'state with NUL and control characters (refused at the input, nothing echoed)',
    (f) => authorizeWith(f, { state: 'a\u0000b\u0007c\u001b"><script>alert(1)</script>' }),
    page(400),
  ],
]);

const consentCases = cases('consent', [
  ['no CSRF token', (f) => consentWith(f, replace('csrf_token', undefined)), page(403)],
  ['a wrong CSRF token', (f) => consentWith(f, replace('csrf_token', randomToken())), page(403)],
  [
    'a cross-site Origin',
    (f) => consentWith(f, (fields) => fields, { origin: `https://${ATTACKER}` }),
    page(403),
  ],
  [
    'a JSON body',
    async (f) => {
      await f.browser.openConsent(authorizeParams(f));
      return f.browser.post('/oauth/authorize', [], { 'content-type': 'application/json' });
    },
    page(400),
  ],
  ['no pending_request', (f) => consentWith(f, replace('pending_request', undefined)), page(400)],
  [
    'a duplicate pending_request',
    (f) =>
      consentWith(f, (fields) => [...fields, fields.find(([name]) => name === 'pending_request')!]),
    page(400),
  ],
  [
    'a pending_request whose redirect_uri was swapped for the attacker',
    (f) =>
      consentWith(f, (fields) => {
        const sealed = fields.find(([name]) => name === 'pending_request')![1];
        const [payload, signature] = sealed.split('.');
        const pending = JSON.parse(Buffer.from(payload!, 'base64url').toString());
        const params = new URLSearchParams(pending.params);
        params.set('redirect_uri', `https://${ATTACKER}/callback`);
        const forged = Buffer.from(JSON.stringify({ ...pending, params: `${params}` }));
        return replace('pending_request', `${forged.toString('base64url')}.${signature}`)(fields);
      }),
    page(400),
  ],
  [
    'a redirect_uri field added for the attacker (ignored: the pending request decides)',
    (f) => consentWith(f, replace('redirect_uri', `https://${ATTACKER}/callback`)),
    { status: 302, ok: true },
  ],
  [
    'no decision',
    (f) => consentWith(f, replace('decision', undefined)),
    redirectError('access_denied'),
  ],
  [
    'decision=deny',
    (f) => consentWith(f, replace('decision', 'deny')),
    redirectError('access_denied'),
  ],
  [
    'a duplicate decision',
    (f) => consentWith(f, (fields) => [...fields, ['decision', 'approve']]),
    page(400),
  ],
  [
    'no scope checked',
    (f) => consentWith(f, replace('scope', undefined)),
    redirectError('access_denied'),
  ],
  [
    'only a scope the page never offered',
    (f) => consentWith(f, (fields) => [...replace('scope', undefined)(fields), ['scope', 'admin']]),
    redirectError('access_denied'),
  ],
]);

const loginCases = cases('login', [
  ['no CSRF token', (f) => loginWith(f, replace('csrf_token', undefined)), page(403)],
  ['a wrong CSRF token', (f) => loginWith(f, replace('csrf_token', randomToken())), page(403)],
  [
    'a cross-site Origin',
    (f) => loginWith(f, (fields) => fields, { origin: `https://${ATTACKER}` }),
    page(403),
  ],
  ['a wrong password', (f) => loginWith(f, replace('password', 'not the password')), page(401)],
  ['an unknown email', (f) => loginWith(f, replace('email', 'nobody@example.com')), page(401)],
  ['an empty password', (f) => loginWith(f, replace('password', '')), page(401)],
  [
    'return_to on another site',
    (f) => loginWith(f, replace('return_to', `https://${ATTACKER}/oauth/authorize`)),
    page(400),
  ],
  [
    'a protocol-relative return_to',
    (f) => loginWith(f, replace('return_to', `//${ATTACKER}/oauth/authorize`)),
    page(400),
  ],
  ['return_to another path', (f) => loginWith(f, replace('return_to', '/oauth/token')), page(400)],
  ['no return_to', (f) => loginWith(f, replace('return_to', undefined)), page(400)],
  [
    'a JSON body',
    (f) => loginWith(f, (fields) => fields, { 'content-type': 'application/json' }),
    page(400),
  ],
]);

const tokenCases = cases('token', [
  [
    'a JSON body',
    (f) => json(f, '/oauth/token', { grant_type: 'authorization_code' }),
    invalidRequest(),
  ],
  [
    'text/plain',
    (f) =>
      raw(f, 'POST', '/oauth/token', {
        headers: { 'content-type': 'text/plain' },
        body: 'grant_type=refresh_token',
      }),
    invalidRequest(),
  ],
  [
    'no content type',
    (f) => raw(f, 'POST', '/oauth/token', { body: 'grant_type=refresh_token' }),
    invalidRequest(),
  ],
  ['an empty form', (f) => form(f, '/oauth/token', {}), invalidRequest()],
  [
    'broken percent-encoding',
    (f) =>
      raw(f, 'POST', '/oauth/token', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=%zz',
      }),
    invalidRequest(),
  ],
  [
    'a 17 KB form',
    (f) => tokenForm(f, f.app, { grant_type: 'refresh_token', refresh_token: 'x'.repeat(17_000) }),
    invalidRequest(413),
  ],
  ['no grant_type', (f) => tokenForm(f, f.app, { code: 'x' }), invalidRequest()],
  [
    'a duplicate grant_type',
    (f) =>
      rawTokenRequest(f, f.app, [
        ['grant_type', 'refresh_token'],
        ['grant_type', 'authorization_code'],
      ]),
    invalidRequest(),
  ],
  [
    'a client metadata document URL whose host does not resolve',
    (f) =>
      form(f, '/oauth/token', {
        grant_type: 'refresh_token',
        refresh_token: 'anything',
        client_id: 'https://unresolvable.invalid/client.json',
      }),
    { status: 401, error: 'invalid_client' },
  ],
  [
    'grant_type=password',
    (f) => tokenForm(f, f.app, { grant_type: 'password', username: 'a', password: 'b' }),
    { status: 400, error: 'unsupported_grant_type' },
  ],
  [
    'grant_type=client_credentials',
    (f) => tokenForm(f, f.confidential, { grant_type: 'client_credentials' }),
    { status: 400, error: 'unsupported_grant_type' },
  ],
  [
    'grant_type=implicit',
    (f) => tokenForm(f, f.app, { grant_type: 'implicit' }),
    { status: 400, error: 'unsupported_grant_type' },
  ],
  [
    'no client authentication',
    (f) =>
      form(f, '/oauth/token', {
        grant_type: 'refresh_token',
        refresh_token: f.tokens.refresh_token,
      }),
    invalidClient,
  ],
  [
    'an unknown client_id',
    (f) =>
      form(f, '/oauth/token', {
        grant_type: 'refresh_token',
        refresh_token: 'x',
        client_id: 'no-such-client',
      }),
    invalidClient,
  ],
  [
    'a wrong client secret',
    (f) =>
      tokenForm(
        f,
        { ...f.confidential, client_secret: 'wrong' },
        { grant_type: 'refresh_token', refresh_token: 'x' },
      ),
    invalidClient,
  ],
  [
    'a confidential client without its secret',
    (f) =>
      form(f, '/oauth/token', {
        grant_type: 'refresh_token',
        refresh_token: 'x',
        client_id: f.confidential.client_id,
      }),
    invalidClient,
  ],
  [
    'Basic credentials that are not base64 of id:secret',
    (f) =>
      form(
        f,
        '/oauth/token',
        { grant_type: 'refresh_token', refresh_token: 'x' },
        { authorization: 'Basic bm9jb2xvbg==' },
      ),
    invalidClient,
  ],
  [
    'Basic and client_secret_post together',
    (f) =>
      tokenForm(f, f.confidential, {
        grant_type: 'refresh_token',
        refresh_token: 'x',
        client_id: f.confidential.client_id,
        client_secret: f.confidential.client_secret ?? '',
      }),
    invalidRequest(),
  ],
  [
    'no code',
    async (f) => codeExchange(f, f.app, await freshCode(f), { code: undefined }),
    invalidRequest(),
  ],
  [
    'no code_verifier',
    async (f) => codeExchange(f, f.app, await freshCode(f), { code_verifier: undefined }),
    invalidRequest(),
  ],
  [
    'no redirect_uri',
    async (f) => codeExchange(f, f.app, await freshCode(f), { redirect_uri: undefined }),
    invalidRequest(),
  ],
  [
    'a made-up code',
    async (f) => codeExchange(f, f.app, { ...(await freshCode(f)), code: randomToken() }),
    invalidGrant,
  ],
  [
    'a wrong code_verifier',
    async (f) => codeExchange(f, f.app, await freshCode(f), { code_verifier: pkcePair().verifier }),
    invalidGrant,
  ],
  [
    'a 42-character code_verifier',
    async (f) => codeExchange(f, f.app, await freshCode(f), { code_verifier: 'a'.repeat(42) }),
    invalidGrant,
  ],
  [
    'a 129-character code_verifier',
    async (f) => codeExchange(f, f.app, await freshCode(f), { code_verifier: 'a'.repeat(129) }),
    invalidGrant,
  ],
  [
    'the code_challenge sent as the verifier (plain PKCE)',
    async (f) => {
      const pkce = pkcePair();
      const state = randomState();
      const { location } = await f.browser.authorize(
        authorizeParams(f, { code_challenge: pkce.challenge, state }),
      );
      return codeExchange(f, f.app, {
        code: location.searchParams.get('code') ?? '',
        verifier: pkce.challenge,
        redirectUri: REDIRECT,
      });
    },
    invalidGrant,
  ],
  [
    'a replayed code',
    async (f) => {
      const code = await freshCode(f);
      expect((await exchangeCode(f.server.url, f.app, code)).status).toBe(200);
      return codeExchange(f, f.app, code);
    },
    invalidGrant,
  ],
  [
    'an expired code',
    async (f) => {
      const code = randomToken();
      const pkce = pkcePair();
      const now = Math.floor(Date.now() / 1000);
      const grantId = `expired-${randomToken(8)}`;
      const owner = {
        grantId,
        clientId: f.app.client_id,
        userId: f.server.user.userId,
        scopes: ['mcp:read'],
        resource: f.server.resource,
      };
      await f.server.store.createGrantWithCode(
        { ...owner, createdAt: now - 700, revokedAt: null },
        {
          ...owner,
          codeHash: sha256(code),
          redirectUri: REDIRECT,
          codeChallenge: pkce.challenge,
          expiresAt: now - 1,
        },
      );
      return codeExchange(f, f.app, { code, verifier: pkce.verifier, redirectUri: REDIRECT });
    },
    invalidGrant,
  ],
  [
    'a code issued to another client',
    async (f) => codeExchange(f, f.twoUris, await freshCode(f)),
    invalidGrant,
  ],
  [
    'a redirect_uri that differs from the authorization request',
    async (f) => codeExchange(f, f.app, await freshCode(f), { redirect_uri: `${REDIRECT}/other` }),
    invalidGrant,
  ],
  [
    'a resource the code was not issued for',
    async (f) =>
      codeExchange(f, f.app, await freshCode(f), { resource: `https://${ATTACKER}/mcp` }),
    { status: 400, error: 'invalid_target' },
  ],
  [
    'a duplicate code',
    async (f) => {
      const code = await freshCode(f);
      return rawTokenRequest(f, f.app, [
        ['grant_type', 'authorization_code'],
        ['code', code.code],
        ['code', code.code],
        ['code_verifier', code.verifier],
        ['redirect_uri', REDIRECT],
      ]);
    },
    invalidRequest(),
  ],
  [
    'no refresh_token',
    (f) => tokenForm(f, f.app, { grant_type: 'refresh_token' }),
    invalidRequest(),
  ],
  [
    'a made-up refresh token',
    (f) => tokenForm(f, f.app, { grant_type: 'refresh_token', refresh_token: randomToken() }),
    invalidGrant,
  ],
  [
    'an access token as the refresh token',
    (f) =>
      tokenForm(f, f.app, { grant_type: 'refresh_token', refresh_token: f.tokens.access_token }),
    invalidGrant,
  ],
  [
    "another client's refresh token",
    async (f) =>
      tokenForm(f, f.twoUris, {
        grant_type: 'refresh_token',
        refresh_token: await freshRefreshToken(f),
      }),
    invalidGrant,
  ],
  [
    'a scope escalation on refresh',
    async (f) => {
      const { tokens } = await grantTokens(f.server, {
        client: f.app,
        browser: f.browser,
        consent: { scopes: ['mcp:read'] },
      });
      return tokenForm(f, f.app, {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
        scope: 'mcp:read mcp:write',
      });
    },
    { status: 400, error: 'invalid_scope' },
  ],
  [
    'an unknown scope on refresh',
    async (f) =>
      tokenForm(f, f.app, {
        grant_type: 'refresh_token',
        refresh_token: await freshRefreshToken(f),
        scope: 'admin',
      }),
    { status: 400, error: 'invalid_scope' },
  ],
  [
    'an expired refresh token',
    async (f) => {
      const grant = await insertGrant(f.server, {
        scopes: ['mcp:read'],
        clientId: f.app.client_id,
        refreshExpiresIn: -1,
      });
      return tokenForm(f, f.app, {
        grant_type: 'refresh_token',
        refresh_token: grant.refreshToken,
      });
    },
    invalidGrant,
  ],
  [
    'a revoked refresh token',
    async (f) => {
      const refreshToken = await freshRefreshToken(f);
      expect((await revoke(f.server.url, f.app, refreshToken)).status).toBe(200);
      return tokenForm(f, f.app, { grant_type: 'refresh_token', refresh_token: refreshToken });
    },
    invalidGrant,
  ],
  [
    'a resource the refresh token was not issued for',
    async (f) =>
      tokenForm(f, f.app, {
        grant_type: 'refresh_token',
        refresh_token: await freshRefreshToken(f),
        resource: `https://${ATTACKER}/mcp`,
      }),
    { status: 400, error: 'invalid_target' },
  ],
]);

const revokeCases = cases('revoke', [
  [
    'a JSON body',
    (f) => json(f, '/oauth/revoke', { token: 'x', client_id: f.app.client_id }),
    invalidRequest(),
  ],
  ['no token', (f) => form(f, '/oauth/revoke', { client_id: f.app.client_id }), invalidRequest()],
  [
    'a duplicate token',
    (f) =>
      form(f, '/oauth/revoke', [
        ['client_id', f.app.client_id],
        ['token', 'a'],
        ['token', 'b'],
      ]),
    invalidRequest(),
  ],
  ['no client authentication', (f) => form(f, '/oauth/revoke', { token: 'x' }), invalidClient],
  [
    'an unknown client',
    (f) => form(f, '/oauth/revoke', { token: 'x', client_id: 'no-such-client' }),
    invalidClient,
  ],
  [
    'a wrong client secret',
    async (f) => {
      const result = await revoke(f.server.url, { ...f.confidential, client_secret: 'wrong' }, 'x');
      return new Response(result.text, { status: result.status, headers: result.headers });
    },
    invalidClient,
  ],
  [
    'an unknown token (RFC 7009 §2.2: still 200)',
    (f) => form(f, '/oauth/revoke', { token: randomToken(), client_id: f.app.client_id }),
    { status: 200, ok: true },
  ],
  [
    'an unknown token_type_hint',
    (f) =>
      form(f, '/oauth/revoke', {
        token: randomToken(),
        token_type_hint: 'id_token',
        client_id: f.app.client_id,
      }),
    { status: 200, ok: true },
  ],
]);

const metadataCases = cases('metadata', [
  [
    'authorization server metadata with a query string',
    (f) => raw(f, 'GET', '/.well-known/oauth-authorization-server?x=%00%ff'),
    { status: 200, ok: true },
  ],
  [
    'protected resource metadata for an unknown path',
    (f) => raw(f, 'GET', '/.well-known/oauth-protected-resource/not-here'),
    { status: 404, ok: true },
  ],
  [
    'an unknown well-known document',
    (f) => raw(f, 'GET', '/.well-known/nothing'),
    { status: 404, ok: true },
  ],
]);

const mcpCases = cases('mcp', [
  ['no Authorization header', (f) => mcp(f, {}), { status: 401, error: 'unauthorized' }],
  ['Bearer with no token', (f) => bearer(f, 'Bearer'), invalidToken],
  ['Bearer and a space only', (f) => bearer(f, 'Bearer '), invalidToken],
  ['a Basic header', (f) => bearer(f, 'Basic YTpi'), invalidToken],
  ['a token with no scheme', (f) => bearer(f, f.tokens.access_token), invalidToken],
  [
    'Bearer, token and a trailing word',
    (f) => bearer(f, `Bearer ${f.tokens.access_token} extra`),
    invalidToken,
  ],
  ['a quoted token', (f) => bearer(f, `Bearer "${f.tokens.access_token}"`), invalidToken],
  ['a tab after Bearer', (f) => bearer(f, `Bearer\t${f.tokens.access_token}`), invalidToken],
  [
    'two tokens separated by a comma',
    (f) => bearer(f, `Bearer ${f.tokens.access_token}, Bearer x`),
    invalidToken,
  ],
  ['a made-up token', (f) => bearer(f, `Bearer ${randomToken()}`), invalidToken],
  [
    'the refresh token as a bearer',
    (f) => bearer(f, `Bearer ${f.tokens.refresh_token}`),
    invalidToken,
  ],
  [
    'an access token in the query string',
    (f) =>
      raw(f, 'POST', `/mcp?access_token=${f.tokens.access_token}`, {
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: '{}',
      }),
    { status: 401, error: 'unauthorized' },
  ],
  [
    'a revoked access token',
    async (f) => {
      const { tokens } = await grantTokens(f.server, { client: f.app, browser: f.browser });
      await revoke(f.server.url, f.app, tokens.access_token);
      return bearer(f, `Bearer ${tokens.access_token}`);
    },
    invalidToken,
  ],
  [
    'an expired access token',
    async (f) => {
      const grant = await insertGrant(f.server, {
        scopes: ['mcp:read'],
        clientId: f.app.client_id,
        accessExpiresIn: -1,
      });
      return bearer(f, `Bearer ${grant.accessToken}`);
    },
    invalidToken,
  ],
  [
    'a token issued for another resource',
    async (f) => {
      const grant = await insertGrant(f.server, {
        scopes: ['mcp:read'],
        clientId: f.app.client_id,
        resource: `https://${ATTACKER}/mcp`,
      });
      return bearer(f, `Bearer ${grant.accessToken}`);
    },
    invalidToken,
  ],
  [
    'malformed JSON-RPC with a valid token',
    (f) => mcp(f, { authorization: `Bearer ${f.tokens.access_token}` }, '{"jsonrpc": '),
    { status: 400, ok: true },
  ],
]);

// ---------------------------------------------------------------- control characters in every field

/**
 * rule input-hygiene: NUL (PostgreSQL cannot store it), the other C0 controls and DEL are refused at the
 * input in every field, whatever the storage. TAB, CR and LF too: no field of this server is multi-line.
 */
const CONTROL_CHARACTERS: [name: string, character: string][] = [
  ['NUL', '\u0000'],
  ['BEL', '\u0007'],
  ['TAB', '\t'],
  ['LF', '\n'],
  ['CR', '\r'],
  ['ESC', '\u001b'],
  ['DEL', '\u007f'],
];

/** One row per field and control character; `send` gets the field and a way to dirty a clean value. */
function controlCharacterCases(
  endpoint: string,
  fields: string[],
  send: (fixture: Fixture, field: string, dirty: (clean: string) => string) => Promise<Response>,
  expected: (field: string) => Expected,
): Case[] {
  return cases(
    endpoint,
    fields.flatMap((field) =>
      CONTROL_CHARACTERS.map(([name, character]): Row => [
        `rule input-hygiene: ${name} in ${field}`,
        (f) => send(f, field, (clean) => `${clean.slice(0, 4)}${character}${clean.slice(4)}`),
        expected(field),
      ]),
    ),
  );
}

/** Valid values for the registration fields, so only the control character is wrong. */
const REGISTRATION_FIELDS: Record<string, unknown> = {
  client_name: 'Bad input',
  client_uri: 'https://app.example.com',
  logo_uri: 'https://app.example.com/logo.png',
  tos_uri: 'https://app.example.com/tos',
  policy_uri: 'https://app.example.com/privacy',
  software_id: 'bad-input',
  software_version: '1.0.0',
  scope: 'mcp:read',
  token_endpoint_auth_method: 'none',
  application_type: 'web',
  redirect_uris: [REDIRECT],
  contacts: ['ops@example.com'],
  grant_types: ['authorization_code'],
  response_types: ['code'],
  jwks: { keys: [{ kid: 'key-1' }] },
};

/** `value` with every string inside it dirtied. */
function dirtied(value: unknown, dirty: (clean: string) => string): unknown {
  if (typeof value === 'string') return dirty(value);
  if (Array.isArray(value)) return value.map((item) => dirtied(item, dirty));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, dirtied(item, dirty)]),
    );
  }
  return value;
}

const registerControlCases = [
  ...controlCharacterCases(
    'register',
    Object.keys(REGISTRATION_FIELDS),
    (f, field, dirty) => registerWith(f, { [field]: dirtied(REGISTRATION_FIELDS[field], dirty) }),
    (field) => (field === 'redirect_uris' ? invalidRedirectUri : invalidMetadata),
  ),
  ...controlCharacterCases(
    'register',
    ['a field name'],
    (f, _field, dirty) => registerWith(f, { [dirty('extension')]: 'x' }),
    () => invalidMetadata,
  ),
];

const authorizeControlCases = controlCharacterCases(
  'authorize',
  [
    'response_type',
    'client_id',
    'redirect_uri',
    'code_challenge',
    'code_challenge_method',
    'state',
    'scope',
    'resource',
    'prompt',
    'an unknown parameter',
    'a parameter name',
  ],
  (f, field, dirty) => {
    if (field === 'an unknown parameter') return authorizeWith(f, { extension: dirty('value') });
    if (field === 'a parameter name') return authorizeWith(f, { [dirty('extension')]: 'value' });
    const params = authorizeParams(f, {
      scope: 'mcp:read',
      resource: f.server.resource,
      prompt: 'consent',
    });
    return authorizeWith(f, { [field]: dirty(String(params[field])) });
  },
  () => page(400),
);

/** Sets `field` (added when the form has none) to a dirtied copy of its value. */
function dirtyField(field: string, dirty: (clean: string) => string) {
  return (fields: [string, string][]): [string, string][] => {
    const value = fields.find(([name]) => name === field)?.[1] ?? 'value';
    return [...fields.filter(([name]) => name !== field), [field, dirty(value)]];
  };
}

const consentControlCases = controlCharacterCases(
  'consent',
  ['csrf_token', 'pending_request', 'scope', 'decision', 'an unknown field'],
  (f, field, dirty) =>
    consentWith(f, dirtyField(field === 'an unknown field' ? 'extension' : field, dirty)),
  () => page(400),
);

const loginControlCases = controlCharacterCases(
  'login',
  ['email', 'password', 'csrf_token', 'return_to'],
  (f, field, dirty) => loginWith(f, dirtyField(field, dirty)),
  () => page(400),
);

const tokenControlCases = [
  ...controlCharacterCases(
    'token',
    [
      'grant_type',
      'refresh_token',
      'client_id',
      'client_secret',
      'code',
      'code_verifier',
      'redirect_uri',
      'scope',
      'resource',
    ],
    (f, field, dirty) => {
      const fields: Record<string, string> = {
        grant_type: 'refresh_token',
        refresh_token: f.tokens.refresh_token,
        client_id: f.app.client_id,
      };
      return form(f, '/oauth/token', { ...fields, [field]: dirty(fields[field] ?? 'value') });
    },
    () => invalidRequest(),
  ),
  ...controlCharacterCases(
    'token',
    ['the Basic client_id', 'the Basic client_secret'],
    (f, field, dirty) => {
      const id = f.confidential.client_id;
      const secret = 'a-client-secret';
      const credentials = field.endsWith('client_id')
        ? `${encodeURIComponent(dirty(id))}:${secret}`
        : `${id}:${encodeURIComponent(dirty(secret))}`;
      return form(
        f,
        '/oauth/token',
        { grant_type: 'refresh_token', refresh_token: 'x' },
        { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` },
      );
    },
    () => invalidClient,
  ),
];

const revokeControlCases = controlCharacterCases(
  'revoke',
  ['token', 'token_type_hint', 'client_id', 'client_secret'],
  (f, field, dirty) => {
    const fields: Record<string, string> = {
      token: randomToken(),
      token_type_hint: 'refresh_token',
      client_id: f.app.client_id,
    };
    return form(f, '/oauth/revoke', { ...fields, [field]: dirty(fields[field] ?? 'value') });
  },
  () => invalidRequest(),
);

const CASES: Case[] = [
  ...registerCases,
  ...authorizeCases,
  ...consentCases,
  ...loginCases,
  ...tokenCases,
  ...revokeCases,
  ...metadataCases,
  ...mcpCases,
  ...registerControlCases,
  ...authorizeControlCases,
  ...consentControlCases,
  ...loginControlCases,
  ...tokenControlCases,
  ...revokeControlCases,
];

// ---------------------------------------------------------------- checks every case shares

function expectNoLeak(status: number, text: string): void {
  expect(status).toBeLessThan(500);
  // A stack frame ("    at fn (file:line)") or a source path means an exception reached the client.
  expect(text).not.toMatch(/\n\s+at \S/);
  expect(text).not.toMatch(/node_modules|\/src\/\S+\.[jt]s/);
}

async function check(fixture: Fixture, testCase: Case): Promise<void> {
  const response = await testCase.send(fixture);
  const text = await response.text();
  const location = response.headers.get('location');
  const contentType = response.headers.get('content-type') ?? '';
  expectNoLeak(response.status, text);
  // Whatever a redirect says, it never sends the browser to the attacker's host.
  if (location) expect(new URL(location, fixture.server.url).host).not.toContain(ATTACKER);
  // A header can never have been split: no injected cookie.
  expect(response.headers.get('set-cookie') ?? '').not.toContain('injected');
  const expected = testCase.expect;
  expect({ status: response.status, body: text.slice(0, 300) }).toMatchObject({
    status: expected.status,
  });
  if ('error' in expected) {
    expect(contentType).toContain('application/json');
    expect(JSON.parse(text)).toMatchObject({ error: expected.error });
    expect(location).toBeNull();
  } else if ('page' in expected) {
    expect(contentType).toContain('text/html');
    expect(location).toBeNull();
  } else if ('linkedError' in expected) {
    expect(contentType).toContain('text/html');
    expect(location).toBeNull();
    const links = linkTargets(text).map((href) => new URL(href));
    expect(links).toHaveLength(1);
    expect(`${links[0]!.origin}${links[0]!.pathname}`).toBe(REDIRECT);
    expect(links[0]!.searchParams.get('error')).toBe(expected.linkedError);
  } else if ('redirectError' in expected) {
    const redirect = new URL(location ?? 'missing:');
    expect(`${redirect.origin}${redirect.pathname}`).toBe(REDIRECT);
    expect(redirect.searchParams.get('error')).toBe(expected.redirectError);
  } else if (expected.absent !== undefined) {
    expect(text).not.toContain(expected.absent);
  }
}

describe('reliability: a catalogue of bad input gets exact OAuth answers, never a 5xx or a stack', () => {
  const fixture = {} as Fixture;

  beforeAll(async () => {
    fixture.server = await startTestServer();
    fixture.browser = sharedBrowser(fixture.server);
    fixture.app = await registerClient(fixture.server.url, {
      client_name: 'Catalogue app',
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
    });
    fixture.confidential = await registerClient(fixture.server.url, {
      client_name: 'Catalogue confidential app',
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    fixture.twoUris = await registerClient(fixture.server.url, {
      client_name: 'Catalogue app with two URIs',
      redirect_uris: [REDIRECT, 'https://app.example.com/other'],
      token_endpoint_auth_method: 'none',
    });
    fixture.tokens = (
      await grantTokens(fixture.server, { client: fixture.app, browser: fixture.browser })
    ).tokens;
  });
  afterAll(() => fixture.server.close());

  it(`holds at least 100 cases (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(100);
    console.log(`bad-input catalogue: ${CASES.length} cases`);
  });

  it.each(CASES.map((testCase) => [testCase.endpoint, testCase.name, testCase] as const))(
    '%s: %s',
    async (_endpoint, _name, testCase) => {
      await check(fixture, testCase);
    },
  );

  it('a wrong password and an unknown email get the same page, apart from the echoed email', async () => {
    const wrongPassword = await (
      await loginWith(fixture, replace('password', 'not the password'))
    ).text();
    const unknownEmail = await (
      await loginWith(fixture, (fields) => [
        ...replace('email', undefined)(fields),
        ['email', TEST_ACCOUNT.email.replace('ada', 'bob')],
      ])
    ).text();
    const normalise = (html: string) =>
      html
        .replace(/(ada|bob)@example\.com/g, 'EMAIL')
        .replace(/name="csrf_token" value="[^"]*"/g, 'CSRF')
        .replace(/code_challenge=[A-Za-z0-9_-]+/g, 'CHALLENGE')
        .replace(/nonce-[A-Za-z0-9+/=_-]+/g, 'NONCE');
    expect(normalise(unknownEmail)).toBe(normalise(wrongPassword));
    expect(wrongPassword).toContain('The email or password is not right.');
  });
});
