/**
 * Stage token: what /token and /revoke answer when something is wrong (the only answers a checker can see
 * without a user), how they authenticate clients, and the trailing-slash and root-alias routes.
 */
import { clientCredentials } from './client-auth.js';
import { advertisedEndpoint, endpointUrl, jsonErrorCode, oauthErrorProblem, recorder, type CheckContext, type RegisteredClient } from './context.js';
import type { Exchange } from './http.js';

const STAGE = 'token';

/** json-errors: the exact RFC status and a JSON {error} body. */
function expectJsonError(exchange: Exchange, status: number, error: string): string | undefined {
  if (exchange.answer.status === status && jsonErrorCode(exchange) === error) return undefined;
  const got = jsonErrorCode(exchange);
  const type = exchange.answer.headers.get('content-type') ?? 'no content-type';
  return `answered ${exchange.answer.status} ${got ? `error=${got}` : `(${type}, not a JSON error)`}; expected ${status} ${error}`;
}

async function tokenRequest(context: CheckContext, client: RegisteredClient, fields: Record<string, string>, options: { url?: string; method?: string; secret?: string } = {}) {
  const credentials = clientCredentials(client, options.method, options.secret);
  return context.http.request(options.url ?? endpointUrl(context, 'token_endpoint', '/token'), {
    form: { ...credentials.fields, ...fields },
    headers: { accept: 'application/json', ...credentials.headers },
  });
}

const unknownCode = (client: RegisteredClient) => ({
  grant_type: 'authorization_code',
  code: 'create-mcp-oauth-server-check-unknown-code',
  code_verifier: 'x'.repeat(43),
  redirect_uri: client.redirectUris[0] ?? 'http://127.0.0.1/callback',
});

async function checkPublicClientErrors(context: CheckContext, client: RegisteredClient): Promise<void> {
  const r = recorder(context, STAGE);
  const code = await tokenRequest(context, client, unknownCode(client));
  const codeProblem = expectJsonError(code, 400, 'invalid_grant');
  r.check(!codeProblem, { id: 'json-errors', title: 'an unknown code is 400 invalid_grant as JSON', problem: codeProblem ?? '', evidence: code });
  const grant = await tokenRequest(context, client, { grant_type: 'password', username: 'check', password: 'check' });
  const grantProblem = expectJsonError(grant, 400, 'unsupported_grant_type');
  r.check(!grantProblem, { id: 'json-errors', title: 'an unsupported grant_type is 400 unsupported_grant_type as JSON', problem: grantProblem ?? '', evidence: grant });
  const unknownClient = await tokenRequest(context, { ...client, clientId: 'create-mcp-oauth-server-check-unknown' }, unknownCode(client));
  const clientProblem = oauthErrorProblem(unknownClient, 401, 'invalid_client');
  r.check(!clientProblem, {
    id: 'client-retention',
    title: 'an unknown client_id at /token is 401 invalid_client (Claude registers again on it)',
    problem: clientProblem ?? '',
    evidence: unknownClient,
  });
  const cacheControl = code.answer.headers.get('cache-control') ?? '';
  r.check(/no-store/i.test(cacheControl), {
    id: 'token-response',
    title: '/token answers carry Cache-Control: no-store',
    problem: `Cache-Control is ${cacheControl || 'absent'}`,
    severity: 'warn',
    evidence: code,
  });
  const revocationEndpoint = advertisedEndpoint(context, 'revocation_endpoint');
  if (!revocationEndpoint) {
    r.notCheckable({ id: 'revocation', title: 'revoking an unknown token answers 200 (RFC 7009 §2.2)', detail: 'no revocation_endpoint is advertised (see grant-types-supported)' });
  } else {
    const revokeUnknown = await context.http.request(revocationEndpoint, {
      form: { client_id: client.clientId, token: 'create-mcp-oauth-server-check-unknown-token' },
    });
    r.check(revokeUnknown.answer.status === 200, {
      id: 'revocation',
      title: 'revoking an unknown token answers 200 (RFC 7009 §2.2)',
      problem: `answered ${revokeUnknown.answer.status}`,
      evidence: revokeUnknown,
    });
  }
}

async function checkConfidentialClient(context: CheckContext, client: RegisteredClient): Promise<void> {
  const r = recorder(context, STAGE);
  const wrongSecret = await tokenRequest(context, client, unknownCode(client), { secret: 'wrong-secret' });
  const wrongProblem = expectJsonError(wrongSecret, 401, 'invalid_client');
  r.check(!wrongProblem, { id: 'json-errors', profile: client.profile.id, title: 'a wrong client_secret is 401 invalid_client as JSON', problem: wrongProblem ?? '', evidence: wrongSecret });
  for (const method of ['client_secret_post', 'client_secret_basic']) {
    const exchange = await tokenRequest(context, client, unknownCode(client), { method });
    const problem = oauthErrorProblem(exchange, 400, 'invalid_grant');
    r.check(!problem, {
      id: 'client-auth-methods',
      profile: client.profile.id,
      title: `${method} authenticates (an unknown code then is invalid_grant, not invalid_client)`,
      problem: problem ?? '',
      evidence: exchange,
    });
  }
  const revocationEndpoint = advertisedEndpoint(context, 'revocation_endpoint');
  if (!revocationEndpoint) return;
  const revokeWrong = await context.http.request(revocationEndpoint, {
    form: { client_id: client.clientId, client_secret: 'wrong-secret', token: 'create-mcp-oauth-server-check-unknown-token' },
  });
  const revokeProblem = expectJsonError(revokeWrong, 401, 'invalid_client');
  r.check(!revokeProblem, { id: 'json-errors', profile: client.profile.id, title: 'a wrong client_secret at /revoke is 401 invalid_client as JSON', problem: revokeProblem ?? '', evidence: revokeWrong });
}

/** A trailing slash is the same route, never a 301/308 (a redirected POST becomes a GET and 405s). */
async function checkRouteVariants(context: CheckContext, client: RegisteredClient): Promise<void> {
  const r = recorder(context, STAGE);
  const tokenEndpoint = endpointUrl(context, 'token_endpoint', '/token');
  const slashed = await tokenRequest(context, client, unknownCode(client), { url: `${tokenEndpoint.replace(/\/$/, '')}/` });
  r.check(oauthErrorProblem(slashed, 400, 'invalid_grant') === undefined, {
    id: 'trailing-slash',
    title: 'POST to the token endpoint with a trailing slash is the same route',
    problem: `answered ${slashed.answer.status}${slashed.answer.headers.get('location') ? ` → ${slashed.answer.headers.get('location')}` : ''}`,
    evidence: slashed,
  });
  const slashedMcp = await context.http.request(`${context.target.href.replace(/\/$/, '')}/`, {
    json: { jsonrpc: '2.0', id: 1, method: 'ping' },
    headers: { accept: 'application/json, text/event-stream' },
  });
  r.check(slashedMcp.answer.status === 401, {
    id: 'trailing-slash',
    title: 'POST /mcp/ without a token is the same 401, not a redirect',
    problem: `answered ${slashedMcp.answer.status}`,
    evidence: slashedMcp,
  });
  const aliases: [string, string][] = [
    ['/token', 'token_endpoint'],
    ['/register', 'registration_endpoint'],
    ['/authorize', 'authorization_endpoint'],
  ];
  for (const [path, field] of aliases) {
    if (new URL(endpointUrl(context, field, path)).pathname === path) continue;
    const url = new URL(path, context.target.origin).href;
    const exchange =
      path === '/token'
        ? await tokenRequest(context, client, unknownCode(client), { url })
        : path === '/register'
          ? await context.http.request(url, { body: '{', headers: { 'content-type': 'application/json' } })
          : await context.http.request(`${url}?client_id=create-mcp-oauth-server-check-unknown`);
    r.check(exchange.answer.status !== 404 && exchange.answer.status !== 405, {
      id: 'root-aliases',
      title: `${path} on the MCP origin answers (VS Code and the SDK fall back to it when discovery fails)`,
      problem: `answered ${exchange.answer.status}`,
      severity: 'warn',
      evidence: exchange,
    });
  }
}

/** `loginFollows`: the login stage will check token_type on real token responses. */
export async function runToken(context: CheckContext, loginFollows = false): Promise<void> {
  const r = recorder(context, STAGE);
  if (!loginFollows) {
    r.notCheckable({ id: 'token-type-lowercase', title: 'token_type of a real token response', detail: 'needs a token: run with --login' });
  }
  const publicClient = context.clients.find((client) => client.authMethod === 'none' && client.redirectUris.length > 0);
  const confidential = context.clients.find((client) => client.clientSecret !== undefined);
  if (!publicClient && !confidential) {
    r.notCheckable({ id: 'json-errors', title: '/token error answers', detail: 'no client could be registered' });
    return;
  }
  if (publicClient) await checkPublicClientErrors(context, publicClient);
  if (confidential) await checkConfidentialClient(context, confidential);
  await checkRouteVariants(context, (publicClient ?? confidential)!);
}
