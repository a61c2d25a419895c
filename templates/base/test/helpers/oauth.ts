import { createHash, randomBytes } from 'node:crypto';
import { setCookies } from './headers.js';
import { findForm, linkTargets, submission, type HtmlForm } from './html.js';
import { TEST_ACCOUNT } from './server.js';

/** Everything here talks plain HTTP with global fetch and never follows redirects. */

type FormValue = string | readonly string[] | undefined;
export type FormFields = Record<string, FormValue> | readonly (readonly [string, FormValue])[];

export interface HttpResult<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  json: T;
}

export function formBody(fields: FormFields): URLSearchParams {
  const body = new URLSearchParams();
  const entries = Array.isArray(fields) ? fields : Object.entries(fields);
  for (const [name, value] of entries as [string, FormValue][]) {
    if (value === undefined) continue;
    for (const item of typeof value === 'string' ? [value] : value) body.append(name, item);
  }
  return body;
}

export async function readResult<T = Record<string, unknown>>(
  response: Response,
): Promise<HttpResult<T>> {
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json: json as T };
}

export async function postForm(
  url: string,
  fields: FormFields,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  const response = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: formBody(fields).toString(),
  });
  return readResult(response);
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  const response = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return readResult(response);
}

export async function getJson(
  url: string,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  return readResult(await fetch(url, { redirect: 'manual', headers }));
}

// ---------------------------------------------------------------- PKCE

export interface Pkce {
  verifier: string;
  challenge: string;
}

export function pkcePair(): Pkce {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function randomState(): string {
  return randomBytes(12).toString('base64url');
}

// ---------------------------------------------------------------- registration

export interface RegisteredClient {
  client_id: string;
  client_secret?: string;
  token_endpoint_auth_method: string;
  redirect_uris: string[];
  grant_types: string[];
  response_types: string[];
  client_id_issued_at: number;
  [field: string]: unknown;
}

/** A CIMD client or a pre-known client: no secret, PKCE only. */
export function publicClient(clientId: string, redirectUris: string[]): RegisteredClient {
  return {
    client_id: clientId,
    token_endpoint_auth_method: 'none',
    redirect_uris: redirectUris,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    client_id_issued_at: 0,
  };
}

export async function register(serverUrl: string, metadata: unknown): Promise<HttpResult> {
  return postJson(`${serverUrl}/oauth/register`, metadata);
}

/** Registers with DCR and insists on 201 (quirk json-errors: success is 201 Created). */
export async function registerClient(
  serverUrl: string,
  metadata: Record<string, unknown>,
): Promise<RegisteredClient> {
  const result = await register(serverUrl, metadata);
  if (result.status !== 201) {
    throw new Error(`registration answered ${result.status}: ${result.text}`);
  }
  return result.json as unknown as RegisteredClient;
}

export async function registerPublicClient(
  serverUrl: string,
  redirectUris: string[] = ['http://127.0.0.1/callback'],
  extra: Record<string, unknown> = {},
): Promise<RegisteredClient> {
  return registerClient(serverUrl, {
    client_name: 'Test client',
    redirect_uris: redirectUris,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    ...extra,
  });
}

// ---------------------------------------------------------------- client authentication

export interface ClientAuthentication {
  fields: Record<string, string>;
  headers: Record<string, string>;
}

/** How the client authenticates at the token and revocation endpoints, per its registered method. */
export function clientAuthentication(client: RegisteredClient): ClientAuthentication {
  switch (client.token_endpoint_auth_method) {
    case 'client_secret_basic': {
      // RFC 6749 §2.3.1: form-encode both parts before base64.
      const credentials = `${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret ?? '')}`;
      return {
        fields: {},
        headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` },
      };
    }
    case 'client_secret_post':
      return {
        fields: { client_id: client.client_id, client_secret: client.client_secret ?? '' },
        headers: {},
      };
    default:
      return { fields: { client_id: client.client_id }, headers: {} };
  }
}

// ---------------------------------------------------------------- token endpoint

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token: string;
  scope: string;
  [field: string]: unknown;
}

export async function tokenRequest(
  serverUrl: string,
  client: RegisteredClient,
  fields: FormFields,
  path = '/oauth/token',
): Promise<HttpResult<TokenResponse>> {
  const auth = clientAuthentication(client);
  const extra = Array.isArray(fields) ? fields : Object.entries(fields);
  const all = [...Object.entries(auth.fields), ...extra] as [string, FormValue][];
  return (await postForm(`${serverUrl}${path}`, all, auth.headers)) as HttpResult<TokenResponse>;
}

export interface CodeExchange {
  code: string;
  verifier: string;
  redirectUri: string;
  resource?: string | string[];
}

export async function exchangeCode(
  serverUrl: string,
  client: RegisteredClient,
  exchange: CodeExchange,
): Promise<HttpResult<TokenResponse>> {
  return tokenRequest(serverUrl, client, {
    grant_type: 'authorization_code',
    code: exchange.code,
    code_verifier: exchange.verifier,
    redirect_uri: exchange.redirectUri,
    resource: exchange.resource,
  });
}

export async function refresh(
  serverUrl: string,
  client: RegisteredClient,
  refreshToken: string,
  extra: Record<string, string | string[]> = {},
): Promise<HttpResult<TokenResponse>> {
  return tokenRequest(serverUrl, client, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    ...extra,
  });
}

export async function revoke(
  serverUrl: string,
  client: RegisteredClient,
  token: string,
  hint?: 'access_token' | 'refresh_token',
): Promise<HttpResult> {
  const auth = clientAuthentication(client);
  return postForm(
    `${serverUrl}/oauth/revoke`,
    { ...auth.fields, token, token_type_hint: hint },
    auth.headers,
  );
}

// ---------------------------------------------------------------- the browser side of /authorize

export interface AuthorizeParams {
  client_id: string;
  redirect_uri: string;
  response_type?: string;
  code_challenge?: string;
  code_challenge_method?: string;
  state?: string;
  scope?: string;
  resource?: string | readonly string[];
  [extra: string]: string | readonly string[] | undefined;
}

/** A valid authorization request for `clientId` (fresh PKCE challenge and state), with `overrides` applied. */
export function authorizeParams(
  clientId: string,
  redirectUri: string,
  overrides: Partial<AuthorizeParams> = {},
): AuthorizeParams {
  return {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
    state: randomState(),
    ...overrides,
  };
}

export function authorizeUrl(
  serverUrl: string,
  params: AuthorizeParams,
  path = '/oauth/authorize',
): string {
  return `${serverUrl}${path}?${formBody(params).toString()}`;
}

/**
 * The error response that an /authorize error page links back to the client with. Errors found before
 * the user decided are shown on the server's own 400 page, never redirected (flow rule open-redirect);
 * throws unless the server answered exactly that.
 */
export async function linkedErrorResponse(response: Response): Promise<URL> {
  const html = await response.text();
  if (response.status !== 400 || response.headers.get('location') !== null) {
    throw new Error(
      `expected the 400 error page, got ${response.status} ${response.headers.get('location') ?? ''}`,
    );
  }
  const links = linkTargets(html);
  if (links.length !== 1)
    throw new Error(`expected one link back to the app, found ${links.length}`);
  return new URL(links[0]!);
}

export interface ConsentChoice {
  /** The scope checkboxes to submit; default: the ones the page checked. */
  scopes?: readonly string[];
  decision?: 'approve' | 'deny';
}

export interface ConsentPage {
  response: Response;
  html: string;
  form: HtmlForm;
}

/** Keeps cookies the way a browser does for one origin (no expiry beyond Max-Age=0). */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  remember(response: Response): void {
    for (const cookie of setCookies(response)) {
      if (cookie.attributes.get('max-age') === '0') this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/**
 * A user at a browser: signs in with the test account when the server asks, then answers the consent page.
 * Form posts carry `Origin: <PUBLIC_URL origin>` like a real same-origin form submission.
 */
export class Browser {
  readonly jar = new CookieJar();
  readonly origin: string;

  constructor(
    readonly server: { url: string; issuer: string },
    readonly account: { email: string; password: string } = TEST_ACCOUNT,
  ) {
    this.origin = new URL(server.issuer).origin;
  }

  /** A path on the server (`/oauth/...`) or an absolute URL on it. */
  private target(pathOrUrl: string): string {
    if (pathOrUrl.startsWith('/')) return `${this.server.url}${pathOrUrl}`;
    const url = new URL(pathOrUrl);
    // Links the server builds use PUBLIC_URL; the test server may listen elsewhere.
    return url.origin === this.origin
      ? `${this.server.url}${url.pathname}${url.search}`
      : pathOrUrl;
  }

  async get(pathOrUrl: string, headers: Record<string, string> = {}): Promise<Response> {
    const response = await fetch(this.target(pathOrUrl), {
      redirect: 'manual',
      headers: { cookie: this.jar.header(), ...headers },
    });
    this.jar.remember(response);
    return response;
  }

  async post(
    pathOrUrl: string,
    fields: FormFields,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const response = await fetch(this.target(pathOrUrl), {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: this.jar.header(),
        origin: this.origin,
        ...headers,
      },
      body: formBody(fields).toString(),
    });
    this.jar.remember(response);
    return response;
  }

  /** Posts the login form of `html` with this browser's account; returns the 302 (or the error page). */
  async submitLogin(html: string, overrides: Record<string, string> = {}): Promise<Response> {
    const form = findForm(html, '/oauth/login');
    if (!form) throw new Error(`no login form on the page:\n${html.slice(0, 400)}`);
    const fields = submission(form, {
      values: { email: this.account.email, password: this.account.password, ...overrides },
    });
    return this.post(form.action, fields);
  }

  /** GET /authorize, signing in first if the server shows the login page; ends on the consent page. */
  async openConsent(params: AuthorizeParams, path = '/oauth/authorize'): Promise<ConsentPage> {
    return this.openConsentAt(authorizeUrl(this.server.url, params, path));
  }

  /** The same for a ready-made authorization URL (one an OAuth client library built). */
  async openConsentAt(url: string): Promise<ConsentPage> {
    let response = await this.get(url);
    let html = await response.text();
    if (response.status === 200 && findForm(html, '/oauth/login')) {
      const login = await this.submitLogin(html);
      const location = login.headers.get('location');
      if (login.status !== 302 || !location) {
        throw new Error(`login answered ${login.status}: ${(await login.text()).slice(0, 400)}`);
      }
      response = await this.get(location);
      html = await response.text();
    }
    const form = findForm(html, '/oauth/authorize');
    if (response.status !== 200 || !form) {
      throw new Error(
        `expected the consent page, got ${response.status} ${response.headers.get('location') ?? ''}\n${html.slice(0, 400)}`,
      );
    }
    return { response, html, form };
  }

  /** Posts the consent form. */
  async decide(
    page: ConsentPage,
    choice: ConsentChoice = {},
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const fields = submission(page.form, {
      ...(choice.scopes ? { checked: { scope: choice.scopes } } : {}),
      button: { name: 'decision', value: choice.decision ?? 'approve' },
    });
    return this.post(page.form.action, fields, headers);
  }

  /** The whole user side of /authorize: sign in if needed, answer the consent page, return the redirect. */
  async authorize(
    params: AuthorizeParams | string,
    choice: ConsentChoice = {},
  ): Promise<{ response: Response; location: URL; page: ConsentPage }> {
    const page =
      typeof params === 'string'
        ? await this.openConsentAt(params)
        : await this.openConsent(params);
    const response = await this.decide(page, choice);
    const location = response.headers.get('location');
    if (response.status !== 302 || !location) {
      throw new Error(
        `consent answered ${response.status}: ${(await response.text()).slice(0, 400)}`,
      );
    }
    return { response, location: new URL(location), page };
  }
}

// ---------------------------------------------------------------- whole flows

export interface FlowOptions {
  redirectUri?: string;
  scope?: string;
  resource?: string | string[];
  /** The resource sent to the token endpoint; default: the same as to /authorize. */
  tokenResource?: string | string[];
  consent?: ConsentChoice;
  extra?: Record<string, string>;
  /** The authorization endpoint path; default /oauth/authorize. */
  path?: string;
}

export interface AuthorizedCode {
  code: string;
  state: string;
  verifier: string;
  redirectUri: string;
  location: URL;
}

export async function authorizeCode(
  browser: Browser,
  client: RegisteredClient,
  options: FlowOptions = {},
): Promise<AuthorizedCode> {
  const pkce = pkcePair();
  const state = randomState();
  const redirectUri = options.redirectUri ?? client.redirect_uris[0]!;
  const params: AuthorizeParams = {
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: redirectUri,
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
    state,
    scope: options.scope,
    resource: options.resource,
    ...options.extra,
  };
  const { location } = await browser.authorize(
    authorizeUrl(browser.server.url, params, options.path),
    options.consent,
  );
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`no code in the redirect: ${location.href}`);
  if (location.searchParams.get('state') !== state)
    throw new Error(`state not echoed: ${location.href}`);
  return { code, state, verifier: pkce.verifier, redirectUri, location };
}

/** Authorization code flow to a token pair; throws unless the token endpoint answers 200. */
export async function obtainTokens(
  browser: Browser,
  client: RegisteredClient,
  options: FlowOptions = {},
): Promise<TokenResponse> {
  const authorized = await authorizeCode(browser, client, options);
  const result = await exchangeCode(browser.server.url, client, {
    code: authorized.code,
    verifier: authorized.verifier,
    redirectUri: authorized.redirectUri,
    resource: options.tokenResource ?? options.resource,
  });
  if (result.status !== 200)
    throw new Error(`token endpoint answered ${result.status}: ${result.text}`);
  return result.json;
}

const sharedBrowsers = new WeakMap<object, Browser>();

/**
 * One browser per test server that stays signed in after its first login, so a file pays for the
 * (deliberately slow) password check once. Tests about the login page itself use `new Browser`.
 */
export function sharedBrowser(server: { url: string; issuer: string }): Browser {
  let browser = sharedBrowsers.get(server);
  if (!browser) {
    browser = new Browser(server);
    sharedBrowsers.set(server, browser);
  }
  return browser;
}

/** A new public loopback client (unless given) and a token pair for it, approved in the shared browser. */
export async function grantTokens(
  server: { url: string; issuer: string },
  options: FlowOptions & { client?: RegisteredClient; browser?: Browser } = {},
): Promise<{ browser: Browser; client: RegisteredClient; tokens: TokenResponse }> {
  const browser = options.browser ?? sharedBrowser(server);
  const client = options.client ?? (await registerPublicClient(server.url));
  const tokens = await obtainTokens(browser, client, options);
  return { browser, client, tokens };
}
