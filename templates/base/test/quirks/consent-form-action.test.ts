import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsp } from '../helpers/headers.js';
import {
  authorizeParams,
  Browser,
  authorizeUrl,
  registerPublicClient,
  sharedBrowser,
  type RegisteredClient,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECTS = [
  'https://claude.ai/api/mcp/auth_callback',
  'cursor://anysphere.cursor-mcp/oauth/callback',
  'http://127.0.0.1:4567/callback',
];

describe("quirk consent-form-action: the consent CSP allows the client's redirect target", () => {
  let server: TestServer;
  let client: RegisteredClient;

  beforeAll(async () => {
    server = await startTestServer();
    client = await registerPublicClient(server.url, REDIRECTS);
  });
  afterAll(() => server.close());

  function params(redirectUri: string) {
    return authorizeParams(client.client_id, redirectUri);
  }

  async function consentCsp(redirectUri: string): Promise<Map<string, string[]>> {
    const page = await sharedBrowser(server).openConsent(params(redirectUri));
    return parseCsp(page.response.headers.get('content-security-policy'));
  }

  it("allows 'self' and the https origin of the redirect", async () => {
    const csp = await consentCsp('https://claude.ai/api/mcp/auth_callback');
    expect(csp.get('form-action')).toEqual(["'self'", 'https://claude.ai']);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it("allows 'self' and the private-use scheme of the redirect", async () => {
    const csp = await consentCsp('cursor://anysphere.cursor-mcp/oauth/callback');
    expect(csp.get('form-action')).toEqual(["'self'", 'cursor:']);
  });

  it("allows 'self' and the loopback origin, port included, of the redirect", async () => {
    const csp = await consentCsp('http://127.0.0.1:4567/callback');
    expect(csp.get('form-action')).toEqual(["'self'", 'http://127.0.0.1:4567']);
  });

  it('never widens form-action to a whole scheme such as https: or *', async () => {
    const csp = await consentCsp('https://claude.ai/api/mcp/auth_callback');
    expect(csp.get('form-action')).not.toContain('https:');
    expect(csp.get('form-action')).not.toContain('*');
  });

  it("keeps form-action 'self' and frame-ancestors 'none' on the login page", async () => {
    const response = await new Browser(server).get(authorizeUrl(server.url, params(REDIRECTS[0]!)));
    expect(response.status).toBe(200);
    const csp = parseCsp(response.headers.get('content-security-policy'));
    expect(csp.get('form-action')).toEqual(["'self'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it("keeps form-action 'self' and frame-ancestors 'none' on the error page", async () => {
    const response = await new Browser(server).get(
      authorizeUrl(server.url, { ...params(REDIRECTS[0]!), client_id: 'unknown' }),
    );
    expect(response.status).toBe(400);
    const csp = parseCsp(response.headers.get('content-security-policy'));
    expect(csp.get('form-action')).toEqual(["'self'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
  });
});
