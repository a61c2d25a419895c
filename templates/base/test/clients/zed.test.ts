import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ZED_DOCUMENT,
  ZED_PREFERRED_PORT,
  connectAndRefresh,
  documentClient,
  startProfileServer,
  type ProfileServer,
} from '../helpers/client-profiles.js';
import { getJson } from '../helpers/oauth.js';

describe('client Zed: CIMD https://zed.dev/oauth/client-metadata.json, portless loopback', () => {
  let server: ProfileServer;

  beforeAll(async () => {
    server = await startProfileServer([ZED_DOCUMENT]);
  });
  afterAll(() => server.close());

  it('finds CIMD and the none method in the AS metadata', async () => {
    const metadata = await getJson(`${server.url}/.well-known/oauth-authorization-server`);
    expect(metadata.json.client_id_metadata_document_supported).toBe(true);
    expect(metadata.json.token_endpoint_auth_methods_supported).toContain('none');
  });

  for (const port of [ZED_PREFERRED_PORT, 49152]) {
    it(`completes the flow on 127.0.0.1:${port}, which the document lists without a port`, async () => {
      const redirectUri = `http://127.0.0.1:${port}/callback`;
      await connectAndRefresh(server, documentClient(ZED_DOCUMENT, redirectUri), {
        resource: server.resource,
      });
      expect(server.documents.hits(ZED_DOCUMENT.client_id)).toBeGreaterThan(0);
    });
  }
});
