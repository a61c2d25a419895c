import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whoami } from '../helpers/mcp.js';
import {
  authorizeCode,
  exchangeCode,
  getJson,
  registerClient,
  sharedBrowser,
  type AuthorizedCode,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'http://127.0.0.1:1455/callback';

/** Codex's RFC 9207 check: a missing iss is fatal once the server advertises it; a wrong one always is. */
function codexAcceptsCallback(metadata: Record<string, unknown>, location: URL): boolean {
  const iss = location.searchParams.get('iss');
  if (metadata.authorization_response_iss_parameter_supported === true && iss === null)
    return false;
  return iss === null || iss === metadata.issuer;
}

for (const issParameter of ['omit', 'emit']) {
  describe(`client Codex: DCR, loopback redirect, iss check (ISS_PARAMETER=${issParameter})`, () => {
    let server: TestServer;

    beforeAll(async () => {
      server = await startTestServer({ ISS_PARAMETER: issParameter });
    });
    afterAll(() => server.close());

    it('registers, authorizes, passes its iss check, exchanges and calls whoami', async () => {
      const metadata = (await getJson(`${server.url}/.well-known/oauth-authorization-server`)).json;
      const client = await registerClient(server.url, {
        client_name: 'Codex',
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      });
      const code: AuthorizedCode = await authorizeCode(sharedBrowser(server), client, {
        resource: server.resource,
      });
      expect(codexAcceptsCallback(metadata, code.location)).toBe(true);
      if (issParameter === 'emit')
        expect(code.location.searchParams.get('iss')).toBe(server.issuer);
      else expect(code.location.searchParams.has('iss')).toBe(false);
      const tokens = await exchangeCode(server.url, client, { ...code, resource: server.resource });
      expect(tokens.status).toBe(200);
      expect((await whoami(server.url, tokens.json.access_token)).clientId).toBe(client.client_id);
    });
  });
}
