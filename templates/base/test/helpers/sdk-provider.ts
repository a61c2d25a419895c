import type {
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from '@modelcontextprotocol/client';
import { checkboxes } from './html.js';
import { randomState, type Browser } from './oauth.js';

export interface TestProviderOptions {
  redirectUrl: string;
  clientName?: string;
  /** Identify with a Client ID Metadata Document instead of registering. */
  clientMetadataUrl?: string;
  /** Extra registration metadata (application_type, scope, ...). */
  metadata?: Partial<OAuthClientMetadata>;
}

/**
 * An in-memory OAuthClientProvider for @modelcontextprotocol/client whose "user agent" is a test Browser:
 * redirectToAuthorization signs in and answers the consent page over HTTP, then keeps the callback URL
 * for the test to hand to `transport.finishAuth`.
 */
export class TestOAuthProvider implements OAuthClientProvider {
  clientInfo?: StoredOAuthClientInformation;
  tokenSet?: StoredOAuthTokens;
  discovery?: OAuthDiscoveryState;
  private verifier?: string;
  private lastState?: string;
  readonly authorizationUrls: URL[] = [];
  readonly callbacks: URL[] = [];
  /** Which offered scopes the user ticks on the next consent page; default: whatever the page checked. */
  tickScopes?: (offered: string[]) => string[];
  readonly clientMetadataUrl?: string;

  constructor(
    private readonly browser: Browser,
    private readonly options: TestProviderOptions,
  ) {
    this.clientMetadataUrl = options.clientMetadataUrl;
  }

  get redirectUrl(): string {
    return this.options.redirectUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.options.clientName ?? 'MCP SDK test client',
      redirect_uris: [this.options.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      ...this.options.metadata,
    };
  }

  state(): string {
    this.lastState = randomState();
    return this.lastState;
  }

  clientInformation(): StoredOAuthClientInformation | undefined {
    return this.clientInfo;
  }

  saveClientInformation(info: StoredOAuthClientInformation): void {
    this.clientInfo = info;
  }

  tokens(): StoredOAuthTokens | undefined {
    return this.tokenSet;
  }

  saveTokens(tokens: StoredOAuthTokens): void {
    this.tokenSet = tokens;
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error('no code verifier saved');
    return this.verifier;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }

  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    if (scope === 'all' || scope === 'client') this.clientInfo = undefined;
    if (scope === 'all' || scope === 'tokens') this.tokenSet = undefined;
    if (scope === 'all' || scope === 'verifier') this.verifier = undefined;
    if (scope === 'all' || scope === 'discovery') this.discovery = undefined;
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    this.authorizationUrls.push(authorizationUrl);
    const page = await this.browser.openConsentAt(authorizationUrl.href);
    const offered = checkboxes(page.form, 'scope').map((box) => box.value);
    const response = await this.browser.decide(
      page,
      this.tickScopes ? { scopes: this.tickScopes(offered) } : {},
    );
    const location = response.headers.get('location');
    if (response.status !== 302 || !location)
      throw new Error(`consent answered ${response.status}`);
    const callback = new URL(location);
    if (callback.searchParams.get('state') !== this.lastState)
      throw new Error(`state mismatch in ${callback.href}`);
    this.callbacks.push(callback);
  }

  /** The query of the last redirect back to the client, for `transport.finishAuth`. */
  lastCallback(): URLSearchParams {
    const callback = this.callbacks.at(-1);
    if (!callback) throw new Error('the authorization flow has not redirected back yet');
    return callback.searchParams;
  }
}

/** A fetch that records every request (method, URL, headers, body) it passes on. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: Headers;
  body: string;
  status: number;
}

export function recordingFetch(log: RecordedRequest[]): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const body = request.body ? await request.clone().text() : '';
    const response = await fetch(request);
    log.push({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body,
      status: response.status,
    });
    return response;
  };
}
