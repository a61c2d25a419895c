import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CODEX_CALLBACK_ID,
  codexDocument,
  codexRedirect,
  connectAndRefresh,
  documentClient,
  startProfileServer,
  type ProfileServer,
} from '../helpers/client-profiles.js';
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

const REDIRECT = codexRedirect(1455);
const SHARED_DOCUMENT = codexDocument();
const PER_CALLBACK_DOCUMENT = codexDocument(
  `https://chatgpt.com/oauth/codex/${CODEX_CALLBACK_ID}/client.json`,
);

/** Codex's RFC 9207 check: a missing iss is fatal once the server advertises it; a wrong one always is. */
function codexAcceptsCallback(metadata: Record<string, unknown>, location: URL): boolean {
  const iss = location.searchParams.get('iss');
  if (metadata.authorization_response_iss_parameter_supported === true && iss === null)
    return false;
  return iss === null || iss === metadata.issuer;
}

/** Codex probes the well-known paths itself and insists PRM names the URL it was configured with. */
async function probeLikeCodex(server: TestServer): Promise<Record<string, unknown>> {
  const prm = await getJson(`${server.url}/.well-known/oauth-protected-resource/mcp`);
  expect(prm.json.resource).toBe(`${server.issuer}/mcp`);
  return (await getJson(`${server.url}/.well-known/oauth-authorization-server`)).json;
}

for (const issParameter of ['omit', 'emit']) {
  describe(`client Codex: DCR, loopback redirect, iss check (ISS_PARAMETER=${issParameter})`, () => {
    let server: TestServer;

    beforeAll(async () => {
      server = await startTestServer({ ISS_PARAMETER: issParameter });
    });
    afterAll(() => server.close());

    it('registers, authorizes, passes its iss check, exchanges and calls whoami', async () => {
      const metadata = await probeLikeCodex(server);
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

describe('client Codex: CIMD https://chatgpt.com/oauth/codex/client.json, 127.0.0.1:<port>/callback/<id>', () => {
  let server: ProfileServer;

  beforeAll(async () => {
    server = await startProfileServer([SHARED_DOCUMENT, PER_CALLBACK_DOCUMENT]);
  });
  afterAll(() => server.close());

  for (const document of [SHARED_DOCUMENT, PER_CALLBACK_DOCUMENT]) {
    it(`completes the flow as ${document.client_id} on a random port`, async () => {
      const metadata = await probeLikeCodex(server);
      expect(metadata.client_id_metadata_document_supported).toBe(true);
      const { callback } = await connectAndRefresh(
        server,
        documentClient(document, codexRedirect(51873)),
        { resource: server.resource },
      );
      expect(codexAcceptsCallback(metadata, callback)).toBe(true);
    });
  }
});
