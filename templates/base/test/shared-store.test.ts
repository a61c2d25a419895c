import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { startHttpServer } from '../src/http/index.js';
import { sha256 } from '../src/oauth/crypto.js';
import { createStore } from '../src/storage/index.js';
import type { Store } from '../src/storage/store.js';
import { createAccount } from '../src/users/accounts.js';
import { mcpCall, whoami } from './helpers/mcp.js';
import {
  Browser,
  authorizeCode,
  authorizeParams,
  exchangeCode,
  refresh,
  register,
  registerPublicClient,
  revoke,
  type RegisteredClient,
  type TokenResponse,
} from './helpers/oauth.js';
import { TEST_ACCOUNT, TEST_SESSION_SECRET, freePort } from './helpers/server.js';
import {
  STORAGE_NAME,
  describeOrSkip,
  dropStorage,
  sharingUnavailable,
  storageEnv,
} from './helpers/storage-env.js';

// Several instances behind a load balancer share one store. Here two instances run in this process,
// each with a store object of its own on the same database, and a request may reach either.

interface Instance {
  /** Where this instance listens. */
  url: string;
  store: Store;
  close(): Promise<void>;
}

interface Deployment {
  /** PUBLIC_URL of both instances, as behind a load balancer: the issuer and the resource's base. */
  publicUrl: string;
  a: Instance;
  b: Instance;
  close(): Promise<void>;
}

async function startInstance(env: Record<string, string>, port: number): Promise<Instance> {
  const config = loadConfig({ ...env, PORT: String(port) });
  const store = createStore(config);
  await store.init();
  const http = await startHttpServer(createApp({ config, store }), { host: '127.0.0.1', port });
  return {
    url: `http://127.0.0.1:${http.port}`,
    store,
    async close() {
      await http.close();
      await store.close();
    },
  };
}

async function startDeployment(settings: Record<string, string> = {}): Promise<Deployment> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mcp-oauth-shared-'));
  const [portA, portB] = [await freePort(), await freePort()];
  const publicUrl = `http://127.0.0.1:${portA}`;
  const env = {
    HOST: '127.0.0.1',
    PUBLIC_URL: publicUrl,
    SESSION_SECRET: TEST_SESSION_SECRET,
    RATE_LIMIT_REGISTER: '100000',
    RATE_LIMIT_TOKEN: '100000',
    RATE_LIMIT_TOKEN_PER_ADDRESS: '100000',
    RATE_LIMIT_LOGIN: '100000',
    RATE_LIMIT_LOGIN_ACCOUNT: '100000',
    ...storageEnv(dir),
    ...settings,
  };
  const a = await startInstance(env, portA);
  const b = await startInstance(env, portB);
  await createAccount(a.store, TEST_ACCOUNT.email, TEST_ACCOUNT.password);
  return {
    publicUrl,
    a,
    b,
    async close() {
      await a.close();
      await b.close();
      await dropStorage(dir);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Registers, signs in and consents on `on`, then exchanges the code on `exchangeOn`. */
async function grantTokens(
  deployment: Deployment,
  on: Instance,
  exchangeOn: Instance,
): Promise<{ client: RegisteredClient; tokens: TokenResponse }> {
  const client = await registerPublicClient(on.url);
  const browser = new Browser({ url: on.url, issuer: deployment.publicUrl });
  const authorized = await authorizeCode(browser, client);
  const exchange = await exchangeCode(exchangeOn.url, client, {
    code: authorized.code,
    verifier: authorized.verifier,
    redirectUri: authorized.redirectUri,
  });
  expect(exchange.status, exchange.text).toBe(200);
  return { client, tokens: exchange.json };
}

/** Waits for the next rate-limit window when less than `margin` seconds are left in this one. */
async function awaitRoomInWindow(windowSeconds: number, margin: number): Promise<void> {
  const left = windowSeconds - (Math.floor(Date.now() / 1000) % windowSeconds);
  if (left < margin) await new Promise((resolve) => setTimeout(resolve, left * 1000 + 100));
}

describeOrSkip(
  `shared store (${STORAGE_NAME}): two instances on one store`,
  sharingUnavailable,
  () => {
    let deployment: Deployment;

    beforeAll(async () => {
      // No grace window: reusing a rotated refresh token anywhere is reuse.
      deployment = await startDeployment({ REFRESH_GRACE_SECONDS: '0' });
    });
    afterAll(() => deployment.close());

    it('a code issued through instance A is redeemed on instance B, and only once', async () => {
      const { a, b } = deployment;
      const client = await registerPublicClient(a.url);
      const authorized = await authorizeCode(
        new Browser({ url: a.url, issuer: deployment.publicUrl }),
        client,
      );
      const exchange = {
        code: authorized.code,
        verifier: authorized.verifier,
        redirectUri: authorized.redirectUri,
      };

      const onB = await exchangeCode(b.url, client, exchange);
      expect(onB.status, onB.text).toBe(200);
      expect((await whoami(b.url, onB.json.access_token)).clientId).toBe(client.client_id);
      expect((await whoami(a.url, onB.json.access_token)).clientId).toBe(client.client_id);

      const replayOnA = await exchangeCode(a.url, client, exchange);
      expect(replayOnA.status).toBe(400);
      expect(replayOnA.json.error).toBe('invalid_grant');
    });

    it('a refresh on instance A is seen by instance B: reusing the old token there revokes the grant', async () => {
      const { a, b } = deployment;
      const { client, tokens } = await grantTokens(deployment, a, a);

      const rotated = await refresh(a.url, client, tokens.refresh_token);
      expect(rotated.status, rotated.text).toBe(200);
      const oldOnB = await b.store.findRefreshToken(sha256(tokens.refresh_token));
      expect(oldOnB?.rotatedAt).toEqual(expect.any(Number));
      expect((await whoami(b.url, rotated.json.access_token)).clientId).toBe(client.client_id);

      const reuseOnB = await refresh(b.url, client, tokens.refresh_token);
      expect(reuseOnB.status).toBe(400);
      expect(reuseOnB.json.error).toBe('invalid_grant');
      expect((await mcpCall(a.url, rotated.json.access_token, 'tools/list')).status).toBe(401);
      expect((await refresh(a.url, client, rotated.json.refresh_token)).status).toBe(400);
    });

    it('revoking on instance A is effective on instance B at once', async () => {
      const { a, b } = deployment;
      const { client, tokens } = await grantTokens(deployment, a, b);
      expect((await mcpCall(b.url, tokens.access_token, 'tools/list')).status).toBe(200);

      expect((await revoke(a.url, client, tokens.access_token, 'access_token')).status).toBe(200);
      expect((await mcpCall(b.url, tokens.access_token, 'tools/list')).status).toBe(401);

      // Revoking the (unused) refresh token revokes the grant: B refuses to refresh it.
      expect((await revoke(a.url, client, tokens.refresh_token, 'refresh_token')).status).toBe(200);
      const refreshOnB = await refresh(b.url, client, tokens.refresh_token);
      expect(refreshOnB.status).toBe(400);
      expect(refreshOnB.json.error).toBe('invalid_grant');
    });

    it('quirk consent-idempotent: Approve on instance A and again on instance B answers the same code', async () => {
      const { a, b } = deployment;
      const client = await registerPublicClient(a.url);
      const onA = new Browser({ url: a.url, issuer: deployment.publicUrl });
      const page = await onA.openConsent(
        authorizeParams(client.client_id, client.redirect_uris[0]!),
      );
      const first = await onA.decide(page);
      // The same browser, its second submit balanced to instance B.
      const onB = new Browser({ url: b.url, issuer: deployment.publicUrl });
      for (const [name, value] of onA.jar.cookies) onB.jar.cookies.set(name, value);
      const second = await onB.decide(page);
      expect(first.status).toBe(302);
      expect(second.status).toBe(302);
      expect(second.headers.get('location')).toBe(first.headers.get('location'));
    });
  },
);

describeOrSkip(
  `shared store (${STORAGE_NAME}): where rate limits are counted`,
  sharingUnavailable,
  () => {
    let deployment: Deployment;

    beforeAll(async () => {
      deployment = await startDeployment({ RATE_LIMIT_REGISTER: '3' });
    });
    afterAll(() => deployment.close());

    // PostgreSQL and Redis count limits in the store; SQLite instances count in their own memory
    // (a SQLite file is shared only by processes on one machine: rule rate-limits).
    const perInstance = !['PostgreSQL', 'Redis'].includes(STORAGE_NAME);
    const counted = perInstance ? 'in each instance' : 'in the store';
    it(`rule rate-limits: registrations on A and B are counted ${counted}`, async () => {
      const { a, b } = deployment;
      const metadata = {
        redirect_uris: ['http://127.0.0.1/callback'],
        token_endpoint_auth_method: 'none',
      };
      // The requests must land in one 60-second window.
      await awaitRoomInWindow(60, 10);

      const statuses = [];
      for (const instance of [a, a, b, b, a, a])
        statuses.push((await register(instance.url, metadata)).status);
      expect(statuses).toEqual(
        perInstance ? [201, 201, 201, 201, 201, 429] : [201, 201, 201, 429, 429, 429],
      );
    });
  },
);
