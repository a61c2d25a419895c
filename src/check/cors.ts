/**
 * Stage cors: the preflights and real responses a browser-based client (claude.ai, ChatGPT, vscode.dev) sees
 * from its own origin, an origin outside every allowlist on the cookie-free OAuth endpoints, and a hostile
 * origin on /mcp.
 */
import { advertisedEndpoint, endpointUrl, recorder, type CheckContext } from './context.js';
import type { Exchange } from './http.js';
import { MCP_ACCEPT, initializeRequest } from './mcp-messages.js';

const STAGE = 'cors';

/** What the MCP SDK's browser transport asks to send. */
const MCP_REQUEST_HEADERS = ['authorization', 'content-type', 'mcp-protocol-version', 'mcp-session-id'];
/** 2026-07-28 per-tool parameter headers and DPoP: only a reflecting server allows them. */
const EXTRA_REQUEST_HEADERS = ['mcp-param-region', 'dpop'];
const MCP_EXPOSED_HEADERS = ['www-authenticate', 'mcp-session-id', 'mcp-protocol-version'];
/** A browser client on no allowlist: the Cloudflare MCP portal. */
const OUTSIDE_ORIGIN = 'https://dash.cloudflare.com';
const HOSTILE_ORIGIN = 'https://attacker.invalid';

function headerList(exchange: Exchange, name: string): string[] {
  return (exchange.answer.headers.get(name) ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter(Boolean);
}

function allows(exchange: Exchange, name: string, wanted: readonly string[]): string[] {
  const list = headerList(exchange, name);
  if (list.includes('*') && exchange.answer.headers.get('access-control-allow-credentials') !== 'true') return [];
  return wanted.filter((item) => !list.includes(item));
}

async function preflight(context: CheckContext, url: string, origin: string, method: string, headers: string[]) {
  return context.http.request(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      ...(headers.length > 0 ? { 'access-control-request-headers': headers.join(',') } : {}),
    },
  });
}

/** Problems of a preflight answer for `origin`, per the cors-preflight rule. */
function preflightProblems(exchange: Exchange, origin: string, method: string, headers: string[]): string[] {
  const { answer } = exchange;
  const problems: string[] = [];
  if (answer.status !== 204 && answer.status !== 200) problems.push(`status ${answer.status}, browsers abort on anything but 2xx`);
  if (answer.headers.get('access-control-allow-origin') !== origin) {
    problems.push(`Access-Control-Allow-Origin is ${answer.headers.get('access-control-allow-origin') ?? 'absent'}, not ${origin}`);
  }
  const methods = allows(exchange, 'access-control-allow-methods', [method.toLowerCase()]);
  if (methods.length > 0) problems.push(`Access-Control-Allow-Methods lacks ${method}`);
  const missing = allows(exchange, 'access-control-allow-headers', headers);
  if (missing.length > 0) problems.push(`Access-Control-Allow-Headers lacks ${missing.join(', ')}`);
  return problems;
}

async function checkMcpPreflight(context: CheckContext, origin: string, profile: string) {
  const id = 'cors-preflight';
  const r = recorder(context, STAGE);
  const mcp = context.target.href;
  const exchange = await preflight(context, mcp, origin, 'POST', MCP_REQUEST_HEADERS);
  const problems = preflightProblems(exchange, origin, 'POST', MCP_REQUEST_HEADERS);
  if (exchange.answer.status === 200) problems.push('status 200 (204 expected)');
  const maxAge = exchange.answer.headers.get('access-control-max-age');
  if (problems.length === 0 && maxAge !== '86400') {
    r.add({
      id,
      profile,
      title: `OPTIONS /mcp from ${origin}`,
      status: 'warn',
      detail: `Access-Control-Max-Age is ${maxAge ?? 'absent'}, 86400 spares a preflight per request`,
      evidence: exchange,
    });
  } else {
    r.check(problems.length === 0, {
      id,
      profile,
      title: `OPTIONS /mcp from ${origin}`,
      problem: problems.join('; '),
      evidence: exchange,
    });
  }
  const vary = headerList(exchange, 'vary');
  r.check(vary.includes('origin') || vary.includes('*'), {
    id,
    profile,
    title: 'the /mcp preflight varies by Origin',
    problem: 'no Vary: Origin: a cache can serve one origin the answer meant for another',
    severity: 'warn',
    evidence: exchange,
  });
}

async function checkMcpRealResponse(context: CheckContext, origin: string, profile: string): Promise<void> {
  const r = recorder(context, STAGE);
  const exchange = await context.http.request(context.target.href, {
    json: initializeRequest(),
    headers: { origin, accept: MCP_ACCEPT },
  });
  const problems: string[] = [];
  if (exchange.answer.headers.get('access-control-allow-origin') !== origin) {
    problems.push(`Access-Control-Allow-Origin is ${exchange.answer.headers.get('access-control-allow-origin') ?? 'absent'}`);
  }
  const unexposed = allows(exchange, 'access-control-expose-headers', MCP_EXPOSED_HEADERS);
  if (unexposed.length > 0) problems.push(`Access-Control-Expose-Headers lacks ${unexposed.join(', ')}`);
  r.check(problems.length === 0, {
    id: 'cors-preflight',
    profile,
    title: `the 401 from /mcp is readable from ${origin}`,
    problem: problems.join('; '),
    evidence: exchange,
  });
  if (profile !== 'claude') return;
  const dpopNonce = allows(exchange, 'access-control-expose-headers', ['dpop-nonce']);
  r.check(dpopNonce.length === 0, {
    id: 'cors-reflect-headers',
    title: 'DPoP-Nonce is exposed on /mcp answers',
    problem: 'Access-Control-Expose-Headers lacks DPoP-Nonce',
    evidence: exchange,
  });
}

async function checkReflectedHeaders(context: CheckContext, origin: string): Promise<void> {
  const r = recorder(context, STAGE);
  const headers = [...MCP_REQUEST_HEADERS, ...EXTRA_REQUEST_HEADERS];
  const exchange = await preflight(context, context.target.href, origin, 'POST', headers);
  const title = 'a /mcp preflight asking for Mcp-Param-* and DPoP is allowed';
  if (exchange.answer.status >= 300) {
    r.notCheckable({ id: 'cors-reflect-headers', title, detail: `the preflight itself fails (${exchange.answer.status}): see cors-preflight`, evidence: exchange });
    return;
  }
  const missing = allows(exchange, 'access-control-allow-headers', EXTRA_REQUEST_HEADERS);
  r.check(missing.length === 0, {
    id: 'cors-reflect-headers',
    title,
    problem: `Access-Control-Allow-Headers lacks ${missing.join(', ')}`,
    evidence: exchange,
  });
}

/** claude.com is Claude's second web origin: it must be on the /mcp allowlist beside claude.ai. */
async function checkClaudeComOrigin(context: CheckContext): Promise<void> {
  const r = recorder(context, STAGE);
  const origin = 'https://claude.com';
  const exchange = await preflight(context, context.target.href, origin, 'POST', MCP_REQUEST_HEADERS);
  const title = `OPTIONS /mcp from ${origin} is allowed`;
  if (exchange.answer.status >= 300) {
    r.notCheckable({ id: 'claude-callbacks', profile: 'claude', title, detail: `the preflight itself fails (${exchange.answer.status}): see cors-preflight`, evidence: exchange });
    return;
  }
  r.check(exchange.answer.headers.get('access-control-allow-origin') === origin, {
    id: 'claude-callbacks',
    profile: 'claude',
    title,
    problem: `Access-Control-Allow-Origin is ${exchange.answer.headers.get('access-control-allow-origin') ?? 'absent'}`,
    evidence: exchange,
  });
}

/** Metadata, register, token and revoke answer CORS for any origin, without credentials. */
async function checkOpenOAuthEndpoints(context: CheckContext): Promise<void> {
  const r = recorder(context, STAGE);
  const targets: [string, string, string[]][] = [
    ['PRM', new URL('/.well-known/oauth-protected-resource/mcp', context.target.origin).href, ['GET', 'mcp-protocol-version']],
    ['AS metadata', new URL('/.well-known/oauth-authorization-server', context.target.origin).href, ['GET', 'mcp-protocol-version']],
    ['register', endpointUrl(context, 'registration_endpoint', '/register'), ['POST', 'content-type']],
    ['token', endpointUrl(context, 'token_endpoint', '/token'), ['POST', 'content-type', 'authorization']],
    ['revoke', advertisedEndpoint(context, 'revocation_endpoint') ?? '', ['POST', 'content-type', 'authorization']],
  ];
  for (const [label, url, [method, ...headers]] of targets) {
    if (!url) continue;
    let exchange: Exchange;
    try {
      exchange = await preflight(context, url, OUTSIDE_ORIGIN, method!, headers);
    } catch (error) {
      r.notCheckable({ id: 'cors-open-oauth', title: `OPTIONS ${label}`, detail: (error as Error).message });
      continue;
    }
    const { answer } = exchange;
    const allowOrigin = answer.headers.get('access-control-allow-origin');
    if (answer.status >= 300 || allowOrigin === null) {
      // A missing or failed preflight is the cors-preflight rule; the origin policy is cors-open-oauth.
      r.check(false, {
        id: allowOrigin === null && answer.status < 300 ? 'cors-open-oauth' : 'cors-preflight',
        title: `OPTIONS ${label} from ${OUTSIDE_ORIGIN}`,
        problem: answer.status >= 300 ? `status ${answer.status}` : 'no Access-Control-Allow-Origin for an origin outside the allowlist',
        evidence: exchange,
      });
      continue;
    }
    const problems = [
      allowOrigin !== OUTSIDE_ORIGIN && `Access-Control-Allow-Origin is ${allowOrigin}, not the echoed origin`,
      answer.headers.get('access-control-allow-credentials') === 'true' && 'Access-Control-Allow-Credentials: true on a cookie-free endpoint',
    ].filter((item): item is string => typeof item === 'string');
    r.check(problems.length === 0, {
      id: 'cors-open-oauth',
      title: `OPTIONS ${label} from ${OUTSIDE_ORIGIN}`,
      problem: problems.join('; '),
      evidence: exchange,
    });
    const preflightIssues = preflightProblems(exchange, allowOrigin, method!, headers).filter(
      (problem) => !problem.startsWith('Access-Control-Allow-Origin'),
    );
    r.check(preflightIssues.length === 0, {
      id: 'cors-preflight',
      title: `OPTIONS ${label} allows ${method} and ${headers.join(', ')}`,
      problem: preflightIssues.join('; '),
      evidence: exchange,
    });
  }
}

async function checkHostileOrigin(context: CheckContext): Promise<void> {
  const r = recorder(context, STAGE);
  const exchange = await context.http.request(context.target.href, {
    json: initializeRequest(),
    headers: { origin: HOSTILE_ORIGIN, accept: MCP_ACCEPT },
  });
  r.check(exchange.answer.status === 403, {
    id: 'origin-check',
    title: `POST /mcp from ${HOSTILE_ORIGIN} is 403`,
    problem: `answered ${exchange.answer.status}: a page on any origin can reach /mcp (DNS rebinding)`,
    evidence: exchange,
  });
  const allowOrigin = exchange.answer.headers.get('access-control-allow-origin');
  r.check(allowOrigin !== HOSTILE_ORIGIN && allowOrigin !== '*', {
    id: 'origin-check',
    title: '/mcp does not grant CORS to a hostile origin',
    problem: `Access-Control-Allow-Origin: ${allowOrigin}`,
    evidence: exchange,
  });
}

export async function runCors(context: CheckContext): Promise<void> {
  const browserProfiles = context.profiles.filter((profile) => profile.browserOrigin);
  for (const profile of browserProfiles) {
    await checkMcpPreflight(context, profile.browserOrigin!, profile.id);
    await checkMcpRealResponse(context, profile.browserOrigin!, profile.id);
  }
  if (context.profiles.some((profile) => profile.id === 'claude')) {
    await checkClaudeComOrigin(context);
  }
  if (browserProfiles.length > 0) await checkReflectedHeaders(context, browserProfiles[0]!.browserOrigin!);
  await checkOpenOAuthEndpoints(context);
  await checkHostileOrigin(context);
}
