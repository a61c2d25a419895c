import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizeCode,
  exchangeCode,
  grantTokens,
  refresh,
  registerPublicClient,
  sharedBrowser,
} from '../helpers/oauth.js';
import { whoami } from '../helpers/mcp.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('quirk token-type-lowercase: token responses say "bearer"', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('the authorization_code grant answers token_type "bearer"', async () => {
    const client = await registerPublicClient(server.url);
    const code = await authorizeCode(sharedBrowser(server), client);
    const result = await exchangeCode(server.url, client, code);
    expect(result.status).toBe(200);
    expect(result.json.token_type).toBe('bearer');
  });

  it('the refresh_token grant answers token_type "bearer"', async () => {
    const { client, tokens } = await grantTokens(server);
    const result = await refresh(server.url, client, tokens.refresh_token);
    expect(result.status).toBe(200);
    expect(result.json.token_type).toBe('bearer');
  });

  it('the token is accepted as "Bearer <token>" at /mcp', async () => {
    const { tokens } = await grantTokens(server);
    const identity = await whoami(server.url, tokens.access_token);
    expect(identity.userId).toBe(server.user.userId);
  });
});
