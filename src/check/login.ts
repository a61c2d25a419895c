/**
 * Stage login (--login): a CLI client like Claude Code. It registers a public client with a loopback
 * redirect, sends the user to /authorize, receives the callback and exchanges the code. The form agent's page
 * requests are observed, so the consent redirect and the page headers are checked as well.
 */
import { asJson, endpointUrl, recorder, stringList, type CheckContext, type Json, type RegisteredClient } from './context.js';
import { formBody, type Exchange, type HttpAnswer } from './http.js';
import type { LoginAgent, PageFetcher } from './login-agent.js';
import { listenForCallback } from './loopback.js';
import { pkcePair, randomState } from './pkce.js';
import { CHECK_CLIENT_NAME, PROFILES } from './profiles.js';

const STAGE = 'login';

export interface LoginOptions {
  agent: LoginAgent;
  timeoutMs: number;
  log: (line: string) => void;
}

interface PageVisit {
  url: URL;
  method: string;
  answer: HttpAnswer;
  exchange: Exchange;
}

async function registerLoginClient(context: CheckContext, redirectUri: string): Promise<RegisteredClient | undefined> {
  const exchange = await context.http.request(endpointUrl(context, 'registration_endpoint', '/register'), {
    json: {
      client_name: CHECK_CLIENT_NAME,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    },
  });
  const body = asJson(exchange.answer.json);
  if (typeof body?.client_id !== 'string') {
    recorder(context, STAGE).check(false, { id: 'login', title: 'register the login client', problem: `answered ${exchange.answer.status}`, evidence: exchange });
    return undefined;
  }
  const client: RegisteredClient = {
    profile: PROFILES.find((profile) => profile.id === 'claude-code')!,
    clientId: body.client_id,
    authMethod: 'none',
    redirectUris: [redirectUri],
    ...(typeof body.registration_client_uri === 'string' && typeof body.registration_access_token === 'string'
      ? { registrationClientUri: body.registration_client_uri, registrationAccessToken: body.registration_access_token }
      : {}),
  };
  context.clients.push(client);
  return client;
}

/** The consent POST: the page request answered with a redirect to the client's redirect_uri. */
function checkObservedPages(context: CheckContext, visits: PageVisit[], redirectUri: string): void {
  const r = recorder(context, STAGE);
  const toClient = visits.find((visit) => (visit.answer.headers.get('location') ?? '').startsWith(redirectUri));
  if (toClient) {
    r.check(toClient.answer.status === 302, {
      id: 'consent-302',
      title: 'the consent POST redirects to the client with 302 Found',
      problem: `answered ${toClient.answer.status}: claude.ai ends with 0 tools after a 303`,
      evidence: toClient.exchange,
    });
  }
  const pages = visits.filter((visit) => visit.answer.status === 200 && /<form/i.test(visit.answer.text));
  for (const visit of pages) {
    const policy = visit.answer.headers.get('referrer-policy');
    r.check(policy === 'same-origin' && /<meta[^>]+name=["']?referrer["']?[^>]+same-origin/i.test(visit.answer.text), {
      id: 'consent-referrer',
      title: `the ${/type=["']?password/i.test(visit.answer.text) ? 'login' : 'consent'} page sends Referrer-Policy: same-origin (header and meta)`,
      problem: `Referrer-Policy is ${policy ?? 'absent'}${/name=["']?referrer/i.test(visit.answer.text) ? '' : ', no <meta name="referrer">'}`,
      severity: 'warn',
      evidence: visit.exchange,
    });
  }
  const consentPage = toClient ? [...pages].reverse().find((visit) => visits.indexOf(visit) < visits.indexOf(toClient)) : undefined;
  if (consentPage) {
    const csp = consentPage.answer.headers.get('content-security-policy') ?? '';
    const formAction = /form-action\s+([^;]*)/i.exec(csp)?.[1] ?? '';
    const redirectOrigin = new URL(redirectUri).origin;
    r.check(formAction === '' || formAction.includes(redirectOrigin) || formAction.includes('http://127.0.0.1:*') || formAction.includes('*'), {
      id: 'consent-form-action',
      title: "the consent page's CSP form-action allows the redirect_uri's origin",
      problem: `form-action ${formAction}: the 302 to ${redirectOrigin} is blocked silently (CSP3)`,
      evidence: consentPage.exchange,
    });
  }
}

export async function exchangeCode(context: CheckContext, client: RegisteredClient, code: string, verifier: string): Promise<Exchange> {
  return context.http.request(endpointUrl(context, 'token_endpoint', '/token'), {
    form: {
      grant_type: 'authorization_code',
      client_id: client.clientId,
      code,
      code_verifier: verifier,
      redirect_uri: client.redirectUris[0]!,
      resource: context.discovery.resource,
    },
    headers: { accept: 'application/json' },
  });
}

export function checkTokenResponse(context: CheckContext, stage: string, exchange: Exchange, what: string): Json | undefined {
  const r = recorder(context, stage);
  const body = asJson(exchange.answer.json);
  if (!r.check(exchange.answer.status === 200 && typeof body?.access_token === 'string', {
    id: 'token-response',
    title: `${what} answers 200 with an access token`,
    problem: `answered ${exchange.answer.status}`,
    evidence: exchange,
  })) return undefined;
  r.check(body!.token_type === 'bearer', {
    id: 'token-type-lowercase',
    title: `${what}: token_type is "bearer"`,
    problem: `token_type is ${JSON.stringify(body!.token_type)}: strict clients drop the token and the MCP call 401s`,
    evidence: exchange,
  });
  const missing = ['expires_in', 'scope'].filter((field) => body![field] === undefined);
  const cacheControl = exchange.answer.headers.get('cache-control') ?? '';
  if (!/no-store/i.test(cacheControl)) missing.push('Cache-Control: no-store');
  r.check(missing.length === 0, {
    id: 'token-response',
    title: `${what}: expires_in, scope and Cache-Control: no-store`,
    problem: `missing ${missing.join(', ')}`,
    evidence: exchange,
  });
  return body;
}

export async function runLogin(context: CheckContext, options: LoginOptions): Promise<void> {
  const r = recorder(context, STAGE);
  const metadata = context.discovery.asMetadata;
  if (!metadata) {
    r.notCheckable({ id: 'login', title: 'sign in', detail: 'no authorization server metadata' });
    return;
  }
  const callback = await listenForCallback(options.timeoutMs);
  try {
    const client = await registerLoginClient(context, callback.redirectUri);
    if (!client) return;
    const pkce = pkcePair();
    const state = randomState();
    const scope = stringList(metadata.scopes_supported).filter((item) => item !== 'offline_access');
    const params = {
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: callback.redirectUri,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      state,
      scope: (scope.length > 0 ? scope : context.discovery.baselineScopes).join(' ') || undefined,
      resource: context.discovery.resource,
    };
    const authorizationUrl = `${endpointUrl(context, 'authorization_endpoint', '/authorize')}?${formBody(params)}`;
    const visits: PageVisit[] = [];
    const page: PageFetcher = async (url, request = {}) => {
      const exchange = await context.http.request(url, {
        method: request.method ?? 'GET',
        headers: { accept: 'text/html', ...request.headers },
        ...(request.form ? { body: new URLSearchParams(request.form).toString(), headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', ...request.headers } } : {}),
      });
      visits.push({ url: new URL(url), method: request.method ?? 'GET', answer: exchange.answer, exchange });
      return exchange.answer;
    };
    const agentDone = options.agent.open(authorizationUrl, page, options.log);
    let query: URLSearchParams;
    try {
      [query] = await Promise.all([callback.received, agentDone]);
    } catch (error) {
      r.check(false, { id: 'login', title: 'sign in and approve', problem: (error as Error).message });
      return;
    }
    if (options.agent.observed) checkObservedPages(context, visits, callback.redirectUri);
    else {
      r.notCheckable({ id: 'consent-302', title: 'the consent redirect status', detail: 'the system browser followed it; use the form agent (--login-as) to see it' });
    }
    const code = query.get('code');
    if (!r.check(code !== null && query.get('state') === state, {
      id: 'login',
      title: 'the callback carries a code and the state sent',
      problem: query.get('error') ? `error=${query.get('error')} ${query.get('error_description') ?? ''}` : `code ${code ? 'present' : 'missing'}, state ${query.get('state') === state ? 'echoed' : 'not echoed'}`,
    })) return;
    const advertised = metadata.authorization_response_iss_parameter_supported === true;
    const iss = query.get('iss');
    r.check(advertised ? iss === context.discovery.issuer : iss === null || iss === context.discovery.issuer, {
      id: 'iss-consistent',
      title: advertised ? 'iss is advertised, and the callback carries it' : 'iss is not advertised (a sent iss is the issuer)',
      problem: advertised ? `callback iss is ${iss === null ? 'missing' : JSON.stringify(iss)}: Codex rejects the response ("missing required issuer")` : `iss ${JSON.stringify(iss)} is not the issuer`,
    });
    const exchange = await exchangeCode(context, client, code!, pkce.verifier);
    const tokens = checkTokenResponse(context, STAGE, exchange, 'the code exchange');
    if (!tokens) return;
    r.check(typeof tokens.refresh_token === 'string', {
      id: 'token-lifetime-overrides',
      title: 'a refresh token is issued without offline_access being asked for',
      problem: 'no refresh_token: clients that never ask for offline_access sign in again every hour',
      evidence: exchange,
    });
    const granted = String(tokens.scope ?? '').split(/\s+/).filter(Boolean);
    const advertisedScopes = stringList(metadata.scopes_supported).filter((item) => item !== 'offline_access');
    const unadvertised = granted.filter((item) => !advertisedScopes.includes(item));
    r.check(unadvertised.length === 0, {
      id: 'scopes-discoverable',
      title: 'every granted scope is in AS scopes_supported',
      problem: `granted but not advertised: ${unadvertised.join(', ')} (clients cannot ask for them at step-up)`,
      evidence: exchange,
    });
    context.login = {
      client,
      usedCode: { code: code!, verifier: pkce.verifier },
      tokens: {
        accessToken: tokens.access_token as string,
        ...(typeof tokens.refresh_token === 'string' ? { refreshToken: tokens.refresh_token } : {}),
        ...(typeof tokens.scope === 'string' ? { scope: tokens.scope } : {}),
      },
    };
  } finally {
    await callback.close();
  }
}
