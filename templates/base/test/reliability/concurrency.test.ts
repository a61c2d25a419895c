import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool, whoami } from '../helpers/mcp.js';
import {
  authorizeCode,
  exchangeCode,
  pkcePair,
  randomState,
  register,
  registerPublicClient,
  sharedBrowser,
  type RegisteredClient,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * What refresh-rotation and the storage contract do not already race: one code redeemed 50 times
 * at once over HTTP, 50 registrations at once, and 50 consent approvals at once.
 */

const PARALLEL = 50;
const REDIRECT = 'https://app.example.com/callback';

describe(`reliability: ${PARALLEL} requests at once`, () => {
  let server: TestServer;
  let client: RegisteredClient;

  beforeAll(async () => {
    server = await startTestServer();
    client = await registerPublicClient(server.url, [REDIRECT]);
  });
  afterAll(() => server.close());

  it('one code redeemed 50 times at once: one 200, 49 invalid_grant, and the grant is revoked', async () => {
    const code = await authorizeCode(sharedBrowser(server), client);
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, () => exchangeCode(server.url, client, code)),
    );
    const winners = results.filter((result) => result.status === 200);
    const losers = results.filter((result) => result.status !== 200);
    expect(winners).toHaveLength(1);
    expect(losers.map((result) => [result.status, result.json.error])).toEqual(
      Array(PARALLEL - 1).fill([400, 'invalid_grant']),
    );
    // Every redemption after the first is a replay, which revokes what the first one got.
    const call = await callTool(server.url, winners[0]!.json.access_token, 'whoami');
    expect(call.status).toBe(401);
  });

  it('50 registrations at once: all 201, each with its own id and secret, all stored', async () => {
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, (_, index) =>
        register(server.url, {
          client_name: `Parallel client ${index}`,
          redirect_uris: [`https://app${index}.example.com/callback`],
          token_endpoint_auth_method: 'client_secret_post',
        }),
      ),
    );
    expect(results.map((result) => result.status)).toEqual(Array(PARALLEL).fill(201));
    const clients = results.map((result) => result.json as unknown as RegisteredClient);
    expect(new Set(clients.map((registered) => registered.client_id)).size).toBe(PARALLEL);
    expect(new Set(clients.map((registered) => registered.client_secret)).size).toBe(PARALLEL);
    for (const [index, registered] of clients.entries()) {
      const stored = await server.store.findClient(registered.client_id);
      expect(stored?.redirectUris).toEqual([`https://app${index}.example.com/callback`]);
      expect(stored?.clientName).toBe(`Parallel client ${index}`);
    }
  });

  it('50 consent approvals at once: 50 distinct codes, each redeemable once for its own grant', async () => {
    const browser = sharedBrowser(server);
    const requests = Array.from({ length: PARALLEL }, () => ({
      pkce: pkcePair(),
      state: randomState(),
    }));
    // The pages open one after another (the first may sign in); the approvals race.
    const pages = [];
    for (const { pkce, state } of requests) {
      pages.push(
        await browser.openConsent({
          response_type: 'code',
          client_id: client.client_id,
          redirect_uri: REDIRECT,
          code_challenge: pkce.challenge,
          code_challenge_method: 'S256',
          state,
        }),
      );
    }
    const approvals = await Promise.all(pages.map((page) => browser.decide(page)));
    expect(approvals.map((response) => response.status)).toEqual(Array(PARALLEL).fill(302));
    const locations = approvals.map((response) => new URL(response.headers.get('location')!));
    expect(locations.map((location) => location.searchParams.get('state'))).toEqual(
      requests.map(({ state }) => state),
    );
    const codes = locations.map((location) => location.searchParams.get('code')!);
    expect(new Set(codes).size).toBe(PARALLEL);

    const exchanges = await Promise.all(
      codes.map((code, index) =>
        exchangeCode(server.url, client, {
          code,
          verifier: requests[index]!.pkce.verifier,
          redirectUri: REDIRECT,
        }),
      ),
    );
    expect(exchanges.map((result) => result.status)).toEqual(Array(PARALLEL).fill(200));
    const identities = await Promise.all(
      exchanges.map((result) => whoami(server.url, result.json.access_token)),
    );
    for (const identity of identities) expect(identity.clientId).toBe(client.client_id);
  });
});
