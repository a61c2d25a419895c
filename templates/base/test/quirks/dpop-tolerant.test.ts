import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whoami } from '../helpers/mcp.js';
import {
  authorizeCode,
  clientAuthentication,
  getJson,
  postForm,
  registerPublicClient,
  sharedBrowser,
  type RegisteredClient,
  type TokenResponse,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** An RFC 9449 proof signer, as the MCP SDK client (2.1+) builds one when its provider enables DPoP. */
class DpopKey {
  private readonly privateKey: KeyObject;
  private readonly jwk: Record<string, unknown>;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
    this.jwk = { kty, crv, x, y };
  }

  /** A compact ES256 JWT; `accessToken` adds the `ath` claim a resource request carries. */
  proof(method: string, url: string, accessToken?: string): string {
    const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: this.jwk };
    const claims = {
      jti: randomUUID(),
      htm: method,
      htu: url,
      iat: Math.floor(Date.now() / 1000),
      ...(accessToken ? { ath: createHash('sha256').update(accessToken).digest('base64url') } : {}),
    };
    const input = [header, claims]
      .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
      .join('.');
    const signature = sign('sha256', Buffer.from(input), {
      key: this.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    return `${input}.${signature.toString('base64url')}`;
  }
}

describe('quirk dpop-tolerant: a DPoP header on /token or /mcp is ignored and tokens stay bearer', () => {
  let server: TestServer;
  let client: RegisteredClient;
  const key = new DpopKey();

  beforeAll(async () => {
    server = await startTestServer();
    client = await registerPublicClient(server.url);
  });
  afterAll(() => server.close());

  async function tokenWithProof(fields: Record<string, string>, path = '/oauth/token') {
    const url = `${server.url}${path}`;
    const auth = clientAuthentication(client);
    const result = await postForm(
      url,
      { ...auth.fields, ...fields },
      {
        ...auth.headers,
        dpop: key.proof('POST', `${server.issuer}${path}`),
      },
    );
    return { ...result, json: result.json as unknown as TokenResponse };
  }

  it('the code exchange, a refresh and an /mcp call all carry a real ES256 proof and all succeed as bearer', async () => {
    const authorized = await authorizeCode(sharedBrowser(server), client);
    const exchanged = await tokenWithProof({
      grant_type: 'authorization_code',
      code: authorized.code,
      code_verifier: authorized.verifier,
      redirect_uri: authorized.redirectUri,
    });
    expect(exchanged.status, exchanged.text).toBe(200);
    expect(exchanged.json.token_type).toBe('bearer');
    expect(exchanged.headers.get('dpop-nonce')).toBeNull();

    const refreshed = await tokenWithProof(
      { grant_type: 'refresh_token', refresh_token: exchanged.json.refresh_token },
      '/token',
    );
    expect(refreshed.status, refreshed.text).toBe(200);
    expect(refreshed.json.token_type).toBe('bearer');

    const accessToken = refreshed.json.access_token;
    const me = await whoami(server.url, accessToken, {
      dpop: key.proof('POST', server.resource, accessToken),
    });
    expect(me.clientId).toBe(client.client_id);
  });

  it('a DPoP header that is not a valid proof is ignored as well', async () => {
    const authorized = await authorizeCode(sharedBrowser(server), client);
    const auth = clientAuthentication(client);
    const result = await postForm(
      `${server.url}/oauth/token`,
      {
        ...auth.fields,
        grant_type: 'authorization_code',
        code: authorized.code,
        code_verifier: authorized.verifier,
        redirect_uri: authorized.redirectUri,
      },
      { ...auth.headers, dpop: 'not-a-jwt' },
    );
    expect(result.status, result.text).toBe(200);
    expect(result.json.token_type).toBe('bearer');
    const me = await whoami(server.url, result.json.access_token as string, { dpop: 'not-a-jwt' });
    expect(me.clientId).toBe(client.client_id);
  });

  it('the metadata does not advertise DPoP, since tokens are not bound to a key', async () => {
    const metadata = await getJson(`${server.url}/.well-known/oauth-authorization-server`);
    expect(metadata.status).toBe(200);
    expect(metadata.json).not.toHaveProperty('dpop_signing_alg_values_supported');
    const resource = await getJson(`${server.url}/.well-known/oauth-protected-resource/mcp`);
    expect(resource.json).not.toHaveProperty('dpop_signing_alg_values_supported');
    expect(resource.json).not.toHaveProperty('dpop_bound_access_tokens_required');
  });
});
