/**
 * Stage discovery: what every client reads before anything else — the 401 on /mcp, protected resource
 * metadata at each path clients try, authorization server metadata and the fields the catalogue needs.
 */
import { asJson, recorder, stringList, type CheckContext, type Json } from './context.js';
import type { Exchange } from './http.js';
import { MCP_ACCEPT, initializeRequest } from './mcp-messages.js';
import { parseChallenge } from './www-authenticate.js';

const STAGE = 'discovery';

/** RFC 9728 §3.1 / RFC 8414 §3.1: the well-known segment goes between the host and the path. */
export function wellKnownUrl(resourceOrIssuer: string, name: string): string {
  const url = new URL(resourceOrIssuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}/.well-known/${name}${path}`;
}

function jsonDocument(exchange: Exchange): Json | undefined {
  return exchange.answer.status === 200 ? asJson(exchange.answer.json) : undefined;
}

function documentProblem(exchange: Exchange): string {
  const { answer } = exchange;
  if (answer.truncated) return 'the body is larger than 1 MiB';
  if (answer.status >= 300 && answer.status < 400) {
    return `answered ${answer.status} to ${answer.headers.get('location') ?? '(no Location)'}; clients do not follow redirects here`;
  }
  if (answer.status !== 200) return `answered ${answer.status}`;
  return `the body is not a JSON object (content-type ${answer.headers.get('content-type') ?? 'none'})`;
}

async function checkUnauthenticatedMcp(context: CheckContext): Promise<string | undefined> {
  const r = recorder(context, STAGE);
  const exchange = await context.http.request(context.target.href, {
    json: initializeRequest(),
    headers: { accept: MCP_ACCEPT },
  });
  const challenge = parseChallenge(exchange.answer.headers.get('www-authenticate'));
  const ok401 = r.check(exchange.answer.status === 401 && challenge?.scheme.toLowerCase() === 'bearer', {
    id: 'www-authenticate',
    title: '/mcp without a token answers 401 with a Bearer challenge',
    problem: `answered ${exchange.answer.status}${challenge ? '' : ' without a WWW-Authenticate Bearer challenge'}`,
    evidence: exchange,
  });
  if (!ok401) return undefined;
  const resourceMetadata = challenge?.params.resource_metadata;
  r.check(resourceMetadata !== undefined, {
    id: 'www-authenticate',
    title: 'the challenge names resource_metadata',
    problem: 'no resource_metadata parameter: clients must guess the PRM path',
    evidence: exchange,
  });
  const scope = challenge?.params.scope;
  r.check(scope !== undefined && scope.trim() !== '', {
    id: 'www-authenticate',
    title: 'the challenge names the baseline scope',
    problem: 'no scope parameter: clients fall back to scopes_supported or ask for nothing',
    severity: 'warn',
    evidence: exchange,
  });
  if (scope) context.discovery.baselineScopes = scope.split(/\s+/).filter(Boolean);
  return resourceMetadata;
}

/** Each metadata URL is fetched once per run, however many checks read it. */
const fetched = new WeakMap<CheckContext, Map<string, Exchange>>();

async function fetchDocument(context: CheckContext, url: string): Promise<{ exchange: Exchange; document?: Json }> {
  const cache = fetched.get(context) ?? new Map<string, Exchange>();
  fetched.set(context, cache);
  const exchange = cache.get(url) ?? (await context.http.request(url, { headers: { accept: 'application/json' } }));
  cache.set(url, exchange);
  return { exchange, document: jsonDocument(exchange) };
}

async function checkProtectedResourceMetadata(context: CheckContext, headerUrl: string | undefined): Promise<void> {
  const r = recorder(context, STAGE);
  const resource = context.target.href;
  if (headerUrl) {
    let url: URL | undefined;
    try {
      url = context.http.resolve(headerUrl);
    } catch {
      r.add({
        id: 'www-authenticate',
        title: 'resource_metadata is on the MCP origin',
        status: 'not-checkable',
        detail: `resource_metadata points to ${headerUrl}; the checker does not contact other origins`,
      });
    }
    if (url) {
      const { exchange, document } = await fetchDocument(context, url.href);
      r.check(document !== undefined, {
        id: 'www-authenticate',
        title: 'the resource_metadata URL answers the PRM document',
        problem: documentProblem(exchange),
        evidence: exchange,
      });
      if (document) context.discovery.prm = document;
    }
  }
  const suffixed = await fetchDocument(context, wellKnownUrl(resource, 'oauth-protected-resource'));
  r.check(suffixed.document !== undefined, {
    id: 'prm-path-suffix',
    title: 'PRM at /.well-known/oauth-protected-resource<path> (ChatGPT tries only this)',
    problem: documentProblem(suffixed.exchange),
    evidence: suffixed.exchange,
  });
  const root = await fetchDocument(context, new URL('/.well-known/oauth-protected-resource', resource).href);
  r.check(root.document !== undefined, {
    id: 'prm-path-suffix',
    title: 'PRM at the root /.well-known/oauth-protected-resource',
    problem: documentProblem(root.exchange),
    evidence: root.exchange,
  });
  const prm = context.discovery.prm ?? suffixed.document ?? root.document;
  context.discovery.prm = prm;
  if (!prm) return;
  const seen = [suffixed.document, root.document].filter((doc): doc is Json => doc !== undefined);
  r.check(
    seen.every((doc) => doc.resource === prm.resource),
    {
      id: 'prm-path-suffix',
      title: 'every PRM path serves the same document',
      problem: `resource differs between paths: ${seen.map((doc) => JSON.stringify(doc.resource)).join(' vs ')}`,
    },
  );
  r.check(prm.resource === resource, {
    id: 'prm-resource',
    title: 'PRM resource equals the MCP URL byte for byte (VS Code, Codex, Gemini CLI)',
    problem: `resource is ${JSON.stringify(prm.resource)}, the client was given ${JSON.stringify(resource)}`,
  });
  const servers = stringList(prm.authorization_servers);
  if (r.check(servers.length > 0, {
    id: 'prm-resource',
    title: 'PRM lists authorization_servers',
    problem: 'authorization_servers is missing or empty',
  })) {
    context.discovery.issuer = servers[0];
  }
  const prmScopes = stringList(prm.scopes_supported);
  if (context.discovery.baselineScopes.length === 0) context.discovery.baselineScopes = prmScopes;
}

async function fetchAuthorizationServerMetadata(context: CheckContext, issuer: string): Promise<void> {
  const r = recorder(context, STAGE);
  const rfc8414 = await fetchDocument(context, wellKnownUrl(issuer, 'oauth-authorization-server'));
  if (rfc8414.document) {
    r.add({ id: 'as-metadata', title: 'RFC 8414 authorization server metadata', status: 'pass' });
    context.discovery.asMetadata = rfc8414.document;
  } else {
    const oidc = await fetchDocument(context, wellKnownUrl(issuer, 'openid-configuration'));
    r.add({
      id: 'as-metadata',
      title: 'RFC 8414 authorization server metadata',
      status: oidc.document ? 'warn' : 'fail',
      detail: oidc.document
        ? `RFC 8414 metadata ${documentProblem(rfc8414.exchange)}; only the OpenID configuration answers, which some clients never try`
        : `RFC 8414 metadata ${documentProblem(rfc8414.exchange)}, and no OpenID configuration either`,
      evidence: rfc8414.exchange,
    });
    context.discovery.asMetadata = oidc.document;
  }
  if (new URL(issuer).pathname === '/' || new URL(issuer).pathname === '') {
    const suffixed = await fetchDocument(context, new URL('/.well-known/oauth-authorization-server/mcp', issuer).href);
    r.check(suffixed.document !== undefined, {
      id: 'prm-path-suffix',
      title: 'AS metadata also at /.well-known/oauth-authorization-server/mcp',
      problem: documentProblem(suffixed.exchange),
      evidence: suffixed.exchange,
    });
  }
}

function checkMetadataFields(context: CheckContext): void {
  const r = recorder(context, STAGE);
  const metadata = context.discovery.asMetadata!;
  const issuer = context.discovery.issuer!;
  r.check(metadata.issuer === issuer && !issuer.endsWith('/'), {
    id: 'issuer-identity',
    title: 'AS metadata issuer is byte-identical to PRM authorization_servers[0], no trailing slash',
    problem:
      metadata.issuer === issuer
        ? `the issuer ${JSON.stringify(issuer)} ends with a slash: clients compare issuers byte for byte and some add or strip it`
        : `issuer ${JSON.stringify(metadata.issuer)} vs authorization_servers[0] ${JSON.stringify(issuer)}`,
  });
  const has = (field: string, value: string) => stringList(metadata[field]).includes(value);
  const missing = [
    !has('response_types_supported', 'code') && 'response_types_supported ∋ code',
    !has('grant_types_supported', 'authorization_code') && 'grant_types_supported ∋ authorization_code',
    !has('grant_types_supported', 'refresh_token') && 'grant_types_supported ∋ refresh_token',
    !has('code_challenge_methods_supported', 'S256') && 'code_challenge_methods_supported ∋ S256',
    stringList(metadata.token_endpoint_auth_methods_supported).length === 0 && 'token_endpoint_auth_methods_supported',
    typeof metadata.revocation_endpoint !== 'string' && 'revocation_endpoint',
    typeof metadata.registration_endpoint !== 'string' && 'registration_endpoint',
    typeof metadata.token_endpoint !== 'string' && 'token_endpoint',
    typeof metadata.authorization_endpoint !== 'string' && 'authorization_endpoint',
  ].filter((item): item is string => typeof item === 'string');
  r.check(missing.length === 0, {
    id: 'grant-types-supported',
    title: 'AS metadata carries response, grant and PKCE types and every endpoint',
    problem: `missing: ${missing.join(', ')}`,
  });
  const asScopes = stringList(metadata.scopes_supported);
  const prmScopes = stringList(context.discovery.prm?.scopes_supported);
  const scopeProblems = [
    !asScopes.includes('offline_access') && 'AS scopes_supported lacks offline_access',
    prmScopes.includes('offline_access') && 'PRM scopes_supported lists offline_access',
    ...prmScopes.filter((scope) => !asScopes.includes(scope)).map((scope) => `PRM scope ${scope} is not in AS scopes_supported`),
    ...context.discovery.baselineScopes
      .filter((scope) => !asScopes.includes(scope))
      .map((scope) => `challenge scope ${scope} is not in AS scopes_supported`),
  ].filter((item): item is string => typeof item === 'string');
  r.check(scopeProblems.length === 0, {
    id: 'scopes-discoverable',
    title: 'AS metadata lists every scope and offline_access; PRM only the baseline',
    problem: scopeProblems.join('; '),
  });
  const advertisesIss = metadata.authorization_response_iss_parameter_supported === true;
  r.add({
    id: 'iss-consistent',
    title: 'authorization_response_iss_parameter_supported',
    status: advertisesIss ? 'warn' : 'pass',
    ...(advertisesIss
      ? {
          detail:
            'advertised: every redirect must then carry iss (--login checks it); Codex 0.142–0.144 and mcp-remote before 0.9 reject such servers',
        }
      : {}),
  });
  r.check(stringList(metadata.token_endpoint_auth_methods_supported).includes('none'), {
    id: 'cimd-profiles',
    title: 'token_endpoint_auth_methods_supported lists none (public clients, CIMD)',
    problem: `lists ${JSON.stringify(metadata.token_endpoint_auth_methods_supported)}`,
  });
  r.check(metadata.client_id_metadata_document_supported === true, {
    id: 'cimd',
    title: 'client_id_metadata_document_supported is true',
    problem: 'not advertised: claude.ai, ChatGPT, VS Code and Codex fall back to DCR',
    severity: 'warn',
  });
  const dpop = metadata.dpop_signing_alg_values_supported;
  r.check(dpop === undefined || stringList(dpop).length > 0, {
    id: 'dpop-tolerant',
    title: 'DPoP is either not advertised or advertised with algorithms',
    problem: `dpop_signing_alg_values_supported is ${JSON.stringify(dpop)}`,
  });
}

async function checkOpenIdConfiguration(context: CheckContext, issuer: string): Promise<void> {
  const r = recorder(context, STAGE);
  const exchange = await context.http.request(new URL('/.well-known/openid-configuration', issuer).href);
  const document = jsonDocument(exchange);
  r.check(exchange.answer.status === 404 || (document !== undefined && typeof document.jwks_uri === 'string'), {
    id: 'openid-configuration',
    title: '/.well-known/openid-configuration is 404 or a full OpenID document',
    problem: document ? 'a partial OpenID document (no jwks_uri): clients then expect ID tokens' : `answered ${exchange.answer.status}`,
    severity: 'warn',
    evidence: exchange,
  });
}

export async function runDiscovery(context: CheckContext): Promise<void> {
  const headerUrl = await checkUnauthenticatedMcp(context);
  await checkProtectedResourceMetadata(context, headerUrl);
  const r = recorder(context, STAGE);
  const issuer = context.discovery.issuer;
  if (!issuer) {
    r.notCheckable({ id: 'as-metadata', title: 'authorization server metadata', detail: 'no PRM document names an authorization server' });
    return;
  }
  try {
    context.http.resolve(issuer);
  } catch {
    r.notCheckable({
      id: 'as-metadata',
      title: 'authorization server metadata',
      detail: `the authorization server ${issuer} is on another origin; the checker contacts only ${context.target.origin}`,
    });
    return;
  }
  await fetchAuthorizationServerMetadata(context, issuer);
  if (!context.discovery.asMetadata) return;
  checkMetadataFields(context);
  await checkOpenIdConfiguration(context, issuer);
}
