import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ALLOWED_ORIGINS } from '../../src/config.js';
import {
  CLAUDE_AI_DOCUMENT,
  CLAUDE_AI_REGISTRATION,
  CLAUDE_CALLBACKS,
  connectAndRefresh,
  documentClient,
  startProfileServer,
  type ProfileServer,
} from '../helpers/client-profiles.js';
import { parseCsp } from '../helpers/headers.js';
import { callTool } from '../helpers/mcp.js';
import {
  authorizeParams,
  grantTokens,
  registerClient,
  sharedBrowser,
  type RegisteredClient,
} from '../helpers/oauth.js';

describe('quirk claude-callbacks: both claude.ai and claude.com callbacks work, and claude.com may call /mcp', () => {
  let server: ProfileServer;
  let client: RegisteredClient;

  beforeAll(async () => {
    server = await startProfileServer([CLAUDE_AI_DOCUMENT]);
    client = await registerClient(server.url, CLAUDE_AI_REGISTRATION);
  });
  afterAll(() => server.close());

  it('quirk claude-callbacks: registration keeps both callbacks', () => {
    expect(client.redirect_uris).toEqual([...CLAUDE_CALLBACKS]);
  });

  for (const callback of CLAUDE_CALLBACKS) {
    it(`quirk claude-callbacks: a DCR client completes the flow through ${callback}`, async () => {
      await connectAndRefresh(server, client, {
        redirectUri: callback,
        resource: [server.resource, server.resource],
      });
    });

    it(`quirk claude-callbacks: the CIMD client completes the flow through ${callback}`, async () => {
      await connectAndRefresh(server, documentClient(CLAUDE_AI_DOCUMENT, callback), {
        resource: server.resource,
      });
    });

    it(`quirk claude-callbacks: the consent page lets the form post redirect to ${new URL(callback).origin}`, async () => {
      const page = await sharedBrowser(server).openConsent(
        authorizeParams(client.client_id, callback),
      );
      const formAction = parseCsp(page.response.headers.get('content-security-policy')).get(
        'form-action',
      );
      expect(formAction).toContain(new URL(callback).origin);
    });
  }

  it('quirk claude-callbacks: https://claude.com is in the default origin allowlist', () => {
    expect(DEFAULT_ALLOWED_ORIGINS).toEqual(
      expect.arrayContaining(['https://claude.ai', 'https://claude.com']),
    );
  });

  it('quirk claude-callbacks: /mcp serves a request from Origin https://claude.com and echoes it', async () => {
    const { tokens } = await grantTokens(server);
    const preflight = await fetch(`${server.url}/mcp`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://claude.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, mcp-protocol-version',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://claude.com');
    const call = await callTool(
      server.url,
      tokens.access_token,
      'whoami',
      {},
      {
        origin: 'https://claude.com',
      },
    );
    expect(call.status).toBe(200);
    expect(call.headers.get('access-control-allow-origin')).toBe('https://claude.com');
  });
});
