/**
 * Stage authorize: GET /authorize the way each client sends it, and the requests a server must refuse on its
 * own page before it redirects anywhere. Redirects are never followed; a 3xx is judged by its Location.
 */
import { endpointUrl, recorder, type CheckContext, type RegisteredClient } from './context.js';
import { formBody, type Exchange } from './http.js';
import { pkcePair, randomState } from './pkce.js';

const STAGE = 'authorize';

type Params = Record<string, string | readonly string[] | undefined>;

function baseParams(context: CheckContext, client: RegisteredClient, redirectUri = client.redirectUris[0]!): Params {
  return {
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: redirectUri,
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
    state: randomState(),
    scope: context.discovery.baselineScopes.join(' ') || undefined,
    resource: context.discovery.resource,
  };
}

async function authorize(context: CheckContext, params: Params): Promise<Exchange> {
  const url = `${endpointUrl(context, 'authorization_endpoint', '/authorize')}?${formBody(params)}`;
  return context.http.request(url, { headers: { accept: 'text/html' } });
}

type Outcome = 'accepted' | 'approved-at-once' | 'refused-on-page' | 'redirected-to-client' | 'other';

/**
 * accepted = a login/consent page, or a redirect to one on the server's own origin; approved-at-once = a
 * redirect to the client with a code (a server without a consent step); redirected-to-client = with an error.
 */
function outcome(context: CheckContext, exchange: Exchange): { kind: Outcome; location?: URL } {
  const { status, headers } = exchange.answer;
  if (status === 200) return { kind: 'accepted' };
  if (status >= 300 && status < 400) {
    const raw = headers.get('location');
    if (!raw) return { kind: 'other' };
    const location = new URL(raw, context.target.origin);
    if (location.searchParams.has('error')) return { kind: 'redirected-to-client', location };
    if (location.origin === context.target.origin) return { kind: 'accepted', location };
    return { kind: location.searchParams.has('code') ? 'approved-at-once' : 'other', location };
  }
  if (status >= 400 && status < 500) return { kind: 'refused-on-page' };
  return { kind: 'other' };
}

const isAccepted = (context: CheckContext, exchange: Exchange) =>
  ['accepted', 'approved-at-once'].includes(outcome(context, exchange).kind);

function describe(context: CheckContext, exchange: Exchange): string {
  const { kind, location } = outcome(context, exchange);
  const where = location ? `${location.protocol}//${location.host}${location.pathname}` : '';
  if (kind === 'redirected-to-client') return `redirected to ${where} with error=${location?.searchParams.get('error')}`;
  if (kind === 'approved-at-once') return `approved at once: redirected to ${where} with a code`;
  if (kind === 'refused-on-page') return `refused with ${exchange.answer.status}`;
  return `answered ${exchange.answer.status}`;
}

async function checkProfileRequests(context: CheckContext, client: RegisteredClient): Promise<void> {
  const r = recorder(context, STAGE);
  const { profile } = client;
  const plain = await authorize(context, baseParams(context, client));
  r.check(isAccepted(context, plain), {
    id: 'authorize-accepts',
    profile: profile.id,
    title: `/authorize accepts ${profile.name}'s registered redirect`,
    problem: describe(context, plain),
    evidence: plain,
  });
  if (profile.loopbackRedirectOtherPort) {
    const portless = client.redirectUris.some((uri) => /^http:\/\/[^/:]+\//.test(uri));
    const other = await authorize(context, baseParams(context, client, profile.loopbackRedirectOtherPort));
    r.check(isAccepted(context, other), {
      id: portless ? 'loopback-matcher-everywhere' : 'loopback-any-port',
      profile: profile.id,
      title: `a loopback redirect on another port (${profile.loopbackRedirectOtherPort}) is accepted`,
      problem: describe(context, other),
      evidence: other,
    });
  }
  if (profile.resourceForm) {
    const resource = context.discovery.resource;
    const form =
      profile.resourceForm === 'repeated' ? [resource, resource] : `${resource.replace(/\/$/, '')}/`;
    const exchange = await authorize(context, { ...baseParams(context, client), resource: form });
    r.check(isAccepted(context, exchange), {
      id: 'resource-forms',
      profile: profile.id,
      title: profile.resourceForm === 'repeated' ? 'a repeated resource parameter is accepted' : 'the resource with a trailing slash is accepted',
      problem: describe(context, exchange),
      evidence: exchange,
    });
  }
  if (profile.extraScopes) {
    const scope = [...context.discovery.baselineScopes, ...profile.extraScopes].join(' ');
    const exchange = await authorize(context, { ...baseParams(context, client), scope });
    r.check(isAccepted(context, exchange), {
      id: 'scopes-discoverable',
      profile: profile.id,
      title: `unadvertised or unknown scopes (${profile.extraScopes.join(', ')}) are dropped, not fatal`,
      problem: describe(context, exchange),
      evidence: exchange,
    });
  }
}

/** Errors found before sign-in: the server's own page for a bad client or redirect, never a redirect. */
async function checkRefusals(context: CheckContext, client: RegisteredClient): Promise<void> {
  const r = recorder(context, STAGE);
  const unknownClient = await authorize(context, { ...baseParams(context, client), client_id: 'create-mcp-oauth-server-check-unknown' });
  r.check(outcome(context, unknownClient).kind === 'refused-on-page', {
    id: 'client-retention',
    title: 'an unknown client_id gets the server\'s own error page (a "connect again" page), no redirect',
    problem: describe(context, unknownClient),
    evidence: unknownClient,
  });
  const foreignRedirect = await authorize(context, { ...baseParams(context, client), redirect_uri: 'https://attacker.invalid/callback' });
  r.check(outcome(context, foreignRedirect).kind === 'refused-on-page', {
    id: 'authorize-validates',
    title: 'an unregistered redirect_uri gets an error page, never a redirect to it',
    problem: describe(context, foreignRedirect),
    evidence: foreignRedirect,
  });
  const pkceRefused = (exchange: Exchange) => {
    const { kind, location } = outcome(context, exchange);
    return kind === 'refused-on-page' || (kind === 'redirected-to-client' && location?.searchParams.get('error') === 'invalid_request');
  };
  const plainPkce = await authorize(context, { ...baseParams(context, client), code_challenge: 'plain-challenge-of-create-mcp-oauth-server-check', code_challenge_method: 'plain' });
  r.check(pkceRefused(plainPkce), {
    id: 'pkce-s256',
    title: 'code_challenge_method=plain is refused',
    problem: describe(context, plainPkce),
    evidence: plainPkce,
  });
  const noPkce = await authorize(context, { ...baseParams(context, client), code_challenge: undefined, code_challenge_method: undefined });
  r.check(pkceRefused(noPkce), {
    id: 'pkce-s256',
    title: 'a request without code_challenge is refused',
    problem: describe(context, noPkce),
    evidence: noPkce,
  });
  const otherResource = await authorize(context, { ...baseParams(context, client), resource: 'https://other.invalid/mcp' });
  const { kind, location } = outcome(context, otherResource);
  r.check(kind === 'refused-on-page' || location?.searchParams.get('error') === 'invalid_target', {
    id: 'resource-forms',
    title: 'a resource that is not this server is refused (invalid_target)',
    problem: describe(context, otherResource),
    evidence: otherResource,
  });
}

export async function runAuthorize(context: CheckContext): Promise<void> {
  if (context.clients.length === 0) {
    recorder(context, STAGE).notCheckable({ id: 'authorize-accepts', title: '/authorize', detail: 'no client could be registered' });
    return;
  }
  const seen = new Set<string>();
  for (const client of context.clients) {
    if (seen.has(client.profile.id) || client.redirectUris.length === 0) continue;
    seen.add(client.profile.id);
    await checkProfileRequests(context, client);
  }
  await checkRefusals(context, context.clients[0]!);
}
