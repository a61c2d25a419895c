import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkTargets } from '../helpers/html.js';
import {
  getJson,
  pkcePair,
  randomState,
  registerPublicClient,
  sharedBrowser,
  type RegisteredClient,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/callback';

interface Setup {
  server: TestServer;
  client: RegisteredClient;
}

async function setup(env: Record<string, string>): Promise<Setup> {
  const server = await startTestServer(env);
  return { server, client: await registerPublicClient(server.url, [REDIRECT]) };
}

function request(client: RegisteredClient, extra: Record<string, string> = {}) {
  return {
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
    state: randomState(),
    ...extra,
  };
}

async function approve({ server, client }: Setup): Promise<URL> {
  return (await sharedBrowser(server).authorize(request(client))).location;
}

async function deny({ server, client }: Setup): Promise<URL> {
  return (await sharedBrowser(server).authorize(request(client), { decision: 'deny' })).location;
}

/**
 * An error found after client and redirect_uri are validated, for a client anyone can register: shown
 * on our page with a link carrying the error response to the client (flow rule open-redirect).
 */
async function errorReturnLink({ server, client }: Setup): Promise<URL> {
  const browser = sharedBrowser(server);
  const response = await browser.get(
    `/oauth/authorize?${new URLSearchParams(request(client, { code_challenge_method: 'plain' }))}`,
  );
  expect(response.status).toBe(400);
  const [link] = linkTargets(await response.text());
  return new URL(link!);
}

describe('quirk iss-consistent: by default no iss anywhere, and nothing advertised', () => {
  let setupDefault: Setup;

  beforeAll(async () => {
    setupDefault = await setup({});
  });
  afterAll(() => setupDefault.server.close());

  it('AS metadata does not advertise authorization_response_iss_parameter_supported', async () => {
    const metadata = await getJson(
      `${setupDefault.server.url}/.well-known/oauth-authorization-server`,
    );
    expect(metadata.json).not.toHaveProperty('authorization_response_iss_parameter_supported');
  });

  it('the success redirect has code and state and no iss', async () => {
    const location = await approve(setupDefault);
    expect(location.searchParams.get('code')).toBeTruthy();
    expect(location.searchParams.has('iss')).toBe(false);
  });

  it('the access_denied redirect has no iss', async () => {
    const location = await deny(setupDefault);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.has('iss')).toBe(false);
  });

  it('the error response linked from the /authorize error page has no iss', async () => {
    const location = await errorReturnLink(setupDefault);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.has('iss')).toBe(false);
  });
});

describe('quirk iss-consistent: ISS_PARAMETER=emit puts iss on every redirect and advertises it', () => {
  let setupEmit: Setup;

  beforeAll(async () => {
    setupEmit = await setup({ ISS_PARAMETER: 'emit' });
  });
  afterAll(() => setupEmit.server.close());

  it('AS metadata advertises authorization_response_iss_parameter_supported: true', async () => {
    const metadata = await getJson(
      `${setupEmit.server.url}/.well-known/oauth-authorization-server`,
    );
    expect(metadata.json.authorization_response_iss_parameter_supported).toBe(true);
  });

  it('the success redirect carries iss byte-identical to the metadata issuer', async () => {
    const metadata = await getJson(
      `${setupEmit.server.url}/.well-known/oauth-authorization-server`,
    );
    const location = await approve(setupEmit);
    expect(location.searchParams.get('code')).toBeTruthy();
    expect(location.searchParams.get('iss')).toBe(metadata.json.issuer);
    expect(location.searchParams.get('iss')).toBe(setupEmit.server.issuer);
  });

  it('the access_denied redirect carries iss', async () => {
    const location = await deny(setupEmit);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('iss')).toBe(setupEmit.server.issuer);
  });

  it('the error response linked from the /authorize error page carries iss', async () => {
    const location = await errorReturnLink(setupEmit);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('iss')).toBe(setupEmit.server.issuer);
  });
});
