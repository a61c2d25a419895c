/**
 * Stage refresh (--login): rotation, the grace window, concurrent refreshes, revoking a rotated-out token,
 * step-up on a 403, revocation, and last a code replay. The order matters: each step leaves exactly one
 * live chain for the next, as a real client would.
 */
import { advertisedEndpoint, asJson, endpointUrl, oauthErrorProblem, recorder, type CheckContext, type Json } from './context.js';
import type { Exchange } from './http.js';
import { checkTokenResponse, exchangeCode } from './login.js';
import { mcpRequest, type McpTool } from './mcp.js';
import { initializeRequest, toolCallRequest } from './mcp-messages.js';
import { parseChallenge } from './www-authenticate.js';

const STAGE = 'refresh';
const CONCURRENT_REFRESHES = 5;
/** Step-up is probed with at most this many tools, each called without its required arguments. */
const STEP_UP_PROBES = 5;

async function refresh(context: CheckContext, refreshToken: string, scope?: string): Promise<Exchange> {
  const client = context.login!.client;
  return context.http.request(endpointUrl(context, 'token_endpoint', '/token'), {
    form: { grant_type: 'refresh_token', client_id: client.clientId, refresh_token: refreshToken, ...(scope ? { scope } : {}) },
    headers: { accept: 'application/json' },
  });
}

async function revoke(context: CheckContext, token: string): Promise<Exchange> {
  return context.http.request(advertisedEndpoint(context, 'revocation_endpoint')!, {
    form: { client_id: context.login!.client.clientId, token, token_type_hint: 'refresh_token' },
  });
}

const tokensOf = (exchange: Exchange): Json | undefined => {
  const body = asJson(exchange.answer.json);
  return exchange.answer.status === 200 && typeof body?.access_token === 'string' ? body : undefined;
};

async function mcpWorks(context: CheckContext, accessToken: string): Promise<Exchange> {
  return (await mcpRequest(context, accessToken, initializeRequest())).exchange;
}

/** Calls tools that need arguments without them: a scope check answers 403 first, a tool cannot run. */
async function checkStepUp(context: CheckContext, refreshToken: string, tools: McpTool[]): Promise<string | undefined> {
  const r = recorder(context, STAGE);
  const baseline = context.discovery.baselineScopes.join(' ');
  const probes = tools.filter((tool) => tool.required.length > 0).slice(0, STEP_UP_PROBES);
  if (!baseline || probes.length === 0) {
    r.notCheckable({ id: 'www-authenticate', title: 'step-up: 403 insufficient_scope names the scopes a tool needs', detail: 'no baseline scope or no tool with required arguments to probe safely' });
    return refreshToken;
  }
  const narrowed = await refresh(context, refreshToken, baseline);
  const narrow = tokensOf(narrowed);
  if (!narrow) {
    r.notCheckable({ id: 'www-authenticate', title: 'step-up', detail: `a refresh narrowed to "${baseline}" answered ${narrowed.answer.status}`, evidence: narrowed });
    return undefined;
  }
  for (const tool of probes) {
    const call = await mcpRequest(context, narrow.access_token as string, toolCallRequest(tool.name));
    if (call.exchange.answer.status !== 403) continue;
    const challenge = parseChallenge(call.exchange.answer.headers.get('www-authenticate'));
    r.check(challenge?.params.error === 'insufficient_scope' && Boolean(challenge.params.scope), {
      id: 'www-authenticate',
      title: `step-up: ${tool.name} with the baseline token is 403 insufficient_scope naming the scopes`,
      problem: `WWW-Authenticate is ${call.exchange.answer.headers.get('www-authenticate') ?? 'absent'}`,
      evidence: call.exchange,
    });
    return narrow.refresh_token as string | undefined;
  }
  r.notCheckable({
    id: 'www-authenticate',
    title: 'step-up: 403 insufficient_scope',
    detail: `no probed tool (${probes.map((tool) => tool.name).join(', ')}) needs more than "${baseline}"`,
  });
  return narrow.refresh_token as string | undefined;
}

export async function runRefresh(context: CheckContext, tools: McpTool[] | undefined): Promise<void> {
  const r = recorder(context, STAGE);
  const session = context.login;
  const first = session?.tokens.refreshToken;
  if (!session || !first) {
    r.notCheckable({ id: 'refresh-rotation', title: 'refresh', detail: session ? 'no refresh token was issued' : 'no token: run with --login' });
    return;
  }
  if (!advertisedEndpoint(context, 'revocation_endpoint')) {
    r.notCheckable({ id: 'revoke-superseded', title: 'revocation after a refresh', detail: 'no revocation_endpoint is advertised (see grant-types-supported)' });
  }
  const rotated = await refresh(context, first);
  const one = checkTokenResponse(context, STAGE, rotated, 'a refresh');
  if (!one) return;
  if (!r.check(typeof one.refresh_token === 'string' && one.refresh_token !== first, {
    id: 'refresh-rotation',
    title: 'a refresh issues a new refresh token',
    problem: 'the same or no refresh token came back',
    evidence: rotated,
  })) return;
  const stillValid = await mcpWorks(context, session.tokens.accessToken);
  r.check(stillValid.answer.status === 200, {
    id: 'revoke-superseded',
    title: 'the access token from before the refresh still works',
    problem: `/mcp answered ${stillValid.answer.status}: a refresh revoked a live access token`,
    evidence: stillValid,
  });
  const grace = await refresh(context, first);
  r.check(tokensOf(grace) !== undefined, {
    id: 'refresh-rotation',
    title: 'the replaced refresh token still answers while its successor is unused (grace)',
    problem: `answered ${grace.answer.status}: a client whose answer was lost is logged out`,
    evidence: grace,
  });
  const current = one.refresh_token as string;
  const burst = await Promise.all(Array.from({ length: CONCURRENT_REFRESHES }, () => refresh(context, current)));
  const succeeded = burst.map(tokensOf).filter((body): body is Json => body !== undefined);
  r.check(succeeded.length === CONCURRENT_REFRESHES, {
    id: 'refresh-rotation',
    title: `${CONCURRENT_REFRESHES} concurrent refreshes of one token all succeed`,
    problem: `${CONCURRENT_REFRESHES - succeeded.length} failed`,
    evidence: burst.find((exchange) => !tokensOf(exchange)) ?? burst[0]!,
  });
  const kept = succeeded[0];
  if (!kept || typeof kept.refresh_token !== 'string') return;
  const confirmed = await refresh(context, kept.refresh_token);
  const live = tokensOf(confirmed);
  if (!r.check(live !== undefined && typeof live.refresh_token === 'string', {
    id: 'refresh-rotation',
    title: 'the refresh token kept from the burst goes on working',
    problem: `answered ${confirmed.answer.status}`,
    evidence: confirmed,
  })) return;
  if (!advertisedEndpoint(context, 'revocation_endpoint')) return;
  const revokedOld = await revoke(context, current);
  const afterRevoke = await refresh(context, live!.refresh_token as string);
  const survivor = tokensOf(afterRevoke);
  const survivorMcp = survivor ? await mcpWorks(context, survivor.access_token as string) : undefined;
  r.check(revokedOld.answer.status === 200 && survivor !== undefined && survivorMcp?.answer.status === 200, {
    id: 'revoke-superseded',
    title: 'revoking a rotated-out refresh token leaves the grant working',
    problem: survivor ? `/mcp answered ${survivorMcp?.answer.status}` : `the current refresh token then answered ${afterRevoke.answer.status}: Claude Code logs itself out after every refresh`,
    evidence: survivor ? afterRevoke : afterRevoke,
  });
  if (!survivor) return;
  const afterStepUp = tools ? await checkStepUp(context, survivor.refresh_token as string, tools) : (survivor.refresh_token as string);
  if (!afterStepUp) return;
  const revoked = await revoke(context, afterStepUp);
  const refused = await refresh(context, afterStepUp);
  r.check(revoked.answer.status === 200 && oauthErrorProblem(refused, 400, 'invalid_grant') === undefined, {
    id: 'revocation',
    title: 'after revoking the current refresh token it is invalid_grant',
    problem: `revoke answered ${revoked.answer.status}, the refresh then ${refused.answer.status}`,
    evidence: refused,
  });
  const replay = await exchangeCode(context, session.client, session.usedCode.code, session.usedCode.verifier);
  r.check(oauthErrorProblem(replay, 400, 'invalid_grant') === undefined, {
    id: 'code-single-use',
    title: 'the code works once (a replay is invalid_grant)',
    problem: `the replay answered ${replay.answer.status}`,
    evidence: replay,
  });
}

