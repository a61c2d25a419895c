/** The nearest existing Node OAuth-for-MCP stack: MCP SDK v1's mcpAuthRouter + requireBearerAuth on Express. */
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO } from './project.mjs';
import { clientMetadata } from './oauth-flow.mjs';
import { refreshLoad, whoamiLoad } from './runtime.mjs';
import { CONNECTIONS, freePort, run, startServer } from './support.mjs';

const REDIRECT_URI = 'http://127.0.0.1/callback';

/** The SDK v1 lives in its own directory: never among the generator's dependencies. */
async function preparePeer(dir) {
  await mkdir(dir, { recursive: true });
  for (const file of ['package.json', 'server.mjs'])
    await copyFile(join(REPO, 'bench', 'peer', file), join(dir, file));
  await run('npm', ['install', '--no-audit', '--no-fund'], {
    cwd: dir,
    timeoutMs: 5 * 60_000,
  });
}

/** The demo provider approves at once: /authorize redirects straight back with a code. */
async function grant(baseUrl, clientId) {
  const verifier = randomBytes(48).toString('base64url');
  const params = new URLSearchParams({
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    scope: 'mcp:read',
  });
  const authorization = await fetch(`${baseUrl}/authorize?${params}`, {
    redirect: 'manual',
  });
  const code = new URL(authorization.headers.get('location') ?? 'x:/').searchParams.get('code');
  if (!code)
    throw new Error(
      `peer /authorize answered ${authorization.status}: ${await authorization.text()}`,
    );
  const response = await fetch(`${baseUrl}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: clientId,
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT_URI,
    }),
  });
  const json = await response.json();
  if (response.status !== 200)
    throw new Error(`peer code exchange answered ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

export const PEER_STACK =
  '@modelcontextprotocol/sdk 1.32.2 mcpAuthRouter + requireBearerAuth, Express 5.3';

/** The peer server, with a registered client and a pool of fresh grants; the caller stops it. */
export async function startPeer(workspace) {
  const dir = join(workspace, 'peer');
  await preparePeer(dir);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const server = await startServer(process.execPath, ['server.mjs', String(port)], {
    cwd: dir,
    env: { NODE_ENV: 'production' },
    readyUrl: `${baseUrl}/.well-known/oauth-authorization-server`,
  });
  try {
    const registration = await fetch(`${baseUrl}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(clientMetadata()),
    });
    const client = await registration.json();
    const grants = [];
    // As for our server: enough tokens for the runs that may strand some.
    for (let i = 0; i < 6 * CONNECTIONS; i++) grants.push(await grant(baseUrl, client.client_id));
    return {
      stack: PEER_STACK,
      server,
      mcp: {
        ...(await whoamiLoad(`${baseUrl}/mcp`, {
          authorization: `Bearer ${grants[0].access_token}`,
        })),
        serverPid: server.pid,
      },
      refresh: {
        ...refreshLoad(
          `${baseUrl}/token`,
          client.client_id,
          grants.map((entry) => entry.refresh_token),
        ),
        serverPid: server.pid,
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
