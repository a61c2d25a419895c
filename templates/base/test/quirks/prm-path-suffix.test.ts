import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson } from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('quirk prm-path-suffix: metadata at the root and at the /mcp-suffixed well-known paths', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('serves the same protected resource metadata at both PRM paths', async () => {
    const root = await getJson(`${server.url}/.well-known/oauth-protected-resource`);
    const suffixed = await getJson(`${server.url}/.well-known/oauth-protected-resource/mcp`);
    expect(root.status).toBe(200);
    expect(suffixed.status).toBe(200);
    expect(root.headers.get('content-type')).toMatch(/^application\/json/);
    expect(suffixed.json).toEqual(root.json);
  });

  it('PRM names the canonical resource PUBLIC_URL/mcp and PUBLIC_URL as its authorization server', async () => {
    const prm = await getJson(`${server.url}/.well-known/oauth-protected-resource/mcp`);
    expect(prm.json.resource).toBe(`${server.issuer}/mcp`);
    expect(prm.json.authorization_servers).toEqual([server.issuer]);
  });

  it('serves the same authorization server metadata at both AS paths', async () => {
    const root = await getJson(`${server.url}/.well-known/oauth-authorization-server`);
    const suffixed = await getJson(`${server.url}/.well-known/oauth-authorization-server/mcp`);
    expect(root.status).toBe(200);
    expect(suffixed.status).toBe(200);
    expect(suffixed.json).toEqual(root.json);
    expect(root.json.issuer).toBe(server.issuer);
  });

  it('answers a trailing slash on the suffixed PRM path with the same document, not a redirect', async () => {
    const slashed = await getJson(`${server.url}/.well-known/oauth-protected-resource/mcp/`);
    expect(slashed.status).toBe(200);
    expect(slashed.json.resource).toBe(`${server.issuer}/mcp`);
  });

  it('answers /.well-known/openid-configuration with 404, never a partial document', async () => {
    const oidc = await getJson(`${server.url}/.well-known/openid-configuration`);
    expect(oidc.status).toBe(404);
    expect(oidc.json ?? {}).not.toHaveProperty('issuer');
    expect(oidc.json ?? {}).not.toHaveProperty('authorization_endpoint');
  });
});
