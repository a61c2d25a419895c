/**
 * Stage registration: Dynamic Client Registration with each profile's exact payload (§4), the shape of the
 * answer, and the refusals and errors a client relies on. Registered clients are kept for later stages and
 * deleted at the end where the server offers RFC 7592 management.
 */
import { asJson, endpointUrl, recorder, stringList, type CheckContext, type RegisteredClient } from './context.js';
import type { Exchange } from './http.js';
import { CHECK_CLIENT_NAME, type ClientProfile } from './profiles.js';

const STAGE = 'registration';

function isJsonError(exchange: Exchange): boolean {
  const body = asJson(exchange.answer.json);
  return body !== undefined && typeof body.error === 'string';
}

function shapeProblems(requested: Record<string, unknown>, answer: Record<string, unknown>): string[] {
  const method = requested.token_endpoint_auth_method;
  const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((item) => b.includes(item));
  return [
    answer.token_endpoint_auth_method !== method &&
      `token_endpoint_auth_method is ${JSON.stringify(answer.token_endpoint_auth_method)}, ${String(method)} was asked`,
    method === 'none' && answer.client_secret !== undefined && 'a client_secret for a none client (Claude Desktop aborts)',
    method !== 'none' && typeof answer.client_secret !== 'string' && 'no client_secret for a confidential client',
    !sameSet(stringList(answer.redirect_uris), stringList(requested.redirect_uris)) && 'redirect_uris not echoed as registered',
    stringList(answer.response_types).length === 0 && 'response_types not echoed',
    typeof answer.client_id_issued_at !== 'number' && 'client_id_issued_at missing',
  ].filter((item): item is string => typeof item === 'string');
}

async function registerProfile(context: CheckContext, profile: ClientProfile): Promise<RegisteredClient | undefined> {
  const r = recorder(context, STAGE);
  const supported = stringList(context.discovery.asMetadata?.grant_types_supported);
  const payload: Record<string, unknown> = { client_name: CHECK_CLIENT_NAME, ...profile.registration(supported) };
  const exchange = await context.http.request(endpointUrl(context, 'registration_endpoint', '/register'), {
    json: payload,
    headers: { accept: 'application/json' },
  });
  const answer = asJson(exchange.answer.json);
  const privateUse = stringList(payload.redirect_uris).some((uri) => !/^https?:/.test(uri));
  if (exchange.answer.status >= 400 || !answer || typeof answer.client_id !== 'string') {
    r.check(false, {
      id: privateUse ? 'private-use-schemes' : 'dcr-profile',
      profile: profile.id,
      title: `DCR accepts ${profile.name}'s registration`,
      problem: `answered ${exchange.answer.status}${answer ? '' : ' without a JSON client'}: the client cannot connect`,
      evidence: exchange,
    });
    return undefined;
  }
  r.add({ id: privateUse ? 'private-use-schemes' : 'dcr-profile', profile: profile.id, title: `DCR accepts ${profile.name}'s registration`, status: 'pass' });
  r.check(exchange.answer.status === 201, {
    id: 'json-errors',
    profile: profile.id,
    title: 'DCR success is 201 Created',
    problem: `answered ${exchange.answer.status}`,
    evidence: exchange,
  });
  const grants = stringList(answer.grant_types);
  r.check(grants.includes('authorization_code') && grants.includes('refresh_token'), {
    id: 'dcr-refresh-grant',
    profile: profile.id,
    title: 'the registered client has grant_types authorization_code and refresh_token',
    problem: `grant_types is ${JSON.stringify(answer.grant_types)}`,
    evidence: exchange,
  });
  const problems = shapeProblems(payload, answer);
  r.check(problems.length === 0, {
    id: 'client-auth-methods',
    profile: profile.id,
    title: `the answer honours ${String(payload.token_endpoint_auth_method)} and echoes the metadata`,
    problem: problems.join('; '),
    evidence: exchange,
  });
  return {
    profile,
    clientId: answer.client_id as string,
    ...(typeof answer.client_secret === 'string' ? { clientSecret: answer.client_secret } : {}),
    authMethod: String(answer.token_endpoint_auth_method ?? payload.token_endpoint_auth_method),
    redirectUris: stringList(payload.redirect_uris),
    ...(typeof answer.registration_client_uri === 'string' && typeof answer.registration_access_token === 'string'
      ? { registrationClientUri: answer.registration_client_uri, registrationAccessToken: answer.registration_access_token }
      : {}),
  };
}

/** claude.ai registers twice within two seconds: both must get their own client. */
async function checkRepeatedRegistration(context: CheckContext, first: RegisteredClient): Promise<void> {
  const r = recorder(context, STAGE);
  const second = await registerProfileQuietly(context, first.profile);
  r.check(second !== undefined && second.clientId !== first.clientId, {
    id: 'shared-egress-limits',
    profile: first.profile.id,
    title: 'a second identical registration right after the first gets its own client',
    problem: second ? 'the same client_id came back (deduplicated by metadata)' : 'the second registration was refused',
  });
}

async function registerProfileQuietly(context: CheckContext, profile: ClientProfile): Promise<RegisteredClient | undefined> {
  const before = context.results.length;
  const client = await registerProfile(context, profile);
  context.results.splice(before);
  if (client) context.clients.push(client);
  return client;
}

async function checkRefusals(context: CheckContext): Promise<void> {
  const r = recorder(context, STAGE);
  const url = endpointUrl(context, 'registration_endpoint', '/register');
  const dangerous = await context.http.request(url, {
    json: {
      client_name: CHECK_CLIENT_NAME,
      redirect_uris: ['javascript:alert(1)'],
      token_endpoint_auth_method: 'none',
    },
  });
  r.check(dangerous.answer.status === 400, {
    id: 'private-use-schemes',
    title: 'DCR refuses a javascript: redirect URI',
    problem: `answered ${dangerous.answer.status}`,
    evidence: dangerous,
  });
  if (dangerous.answer.status === 400) {
    r.check(isJsonError(dangerous), {
      id: 'json-errors',
      title: 'a refused registration is a JSON error',
      problem: `content-type ${dangerous.answer.headers.get('content-type') ?? 'none'}, no {error}`,
      evidence: dangerous,
    });
  } else {
    const body = asJson(dangerous.answer.json);
    if (typeof body?.client_id === 'string') {
      context.clients.push({
        profile: context.profiles[0]!,
        clientId: body.client_id,
        authMethod: 'none',
        redirectUris: [],
        ...(typeof body.registration_client_uri === 'string' && typeof body.registration_access_token === 'string'
          ? { registrationClientUri: body.registration_client_uri, registrationAccessToken: body.registration_access_token }
          : {}),
      });
    }
  }
  const malformed = await context.http.request(url, {
    body: '{"redirect_uris": [',
    headers: { 'content-type': 'application/json' },
  });
  r.check(malformed.answer.status === 400 && isJsonError(malformed), {
    id: 'json-errors',
    title: 'malformed JSON at /register is 400 with a JSON error',
    problem: `answered ${malformed.answer.status} (${malformed.answer.headers.get('content-type') ?? 'no content-type'})`,
    evidence: malformed,
  });
}

export async function runRegistration(context: CheckContext): Promise<void> {
  if (!context.discovery.asMetadata) {
    recorder(context, STAGE).notCheckable({
      id: 'dcr-profile',
      title: 'Dynamic Client Registration',
      detail: 'no authorization server metadata: nothing to register with',
    });
    return;
  }
  for (const profile of context.profiles) {
    const client = await registerProfile(context, profile);
    if (!client) continue;
    context.clients.push(client);
    if (profile.id === 'claude') await checkRepeatedRegistration(context, client);
  }
  await checkRefusals(context);
}

/** RFC 7592 DELETE where offered; most servers have no client management, and the clients stay. */
export async function removeRegisteredClients(context: CheckContext): Promise<void> {
  const r = recorder(context, 'cleanup');
  if (context.clients.length === 0) return;
  let removed = 0;
  let refused = 0;
  for (const client of context.clients) {
    if (!client.registrationClientUri || !client.registrationAccessToken) continue;
    try {
      const exchange = await context.http.request(client.registrationClientUri, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${client.registrationAccessToken}` },
      });
      if (exchange.answer.status === 204 || exchange.answer.status === 200) removed += 1;
      else refused += 1;
    } catch {
      refused += 1;
    }
  }
  const kept = context.clients.length - removed;
  r.add({
    id: 'dcr-cleanup',
    title: `test clients named "${CHECK_CLIENT_NAME}" removed (${removed} of ${context.clients.length})`,
    status: kept === 0 ? 'pass' : 'not-checkable',
    ...(kept === 0
      ? {}
      : {
          detail: `${kept} stay registered: the server offers no RFC 7592 client management${refused ? ` (${refused} DELETE refused)` : ''}; remove them by name if you wish`,
        }),
  });
}
