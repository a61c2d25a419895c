import type { User } from '../storage/store.js';
import {
  AuthorizationRedirectError,
  authorizationResponseUrl,
  parseAuthorizationRequest,
  type AuthorizationRequest,
} from './authorization-request.js';
import { single } from './body.js';
import type { OAuthContext } from './context.js';
import { randomToken, sha256 } from './crypto.js';
import { OAuthError } from './errors.js';
import { htmlResponse, redirectResponse, type CoreRequest, type CoreResponse } from './http.js';
import { clientName, loginPage } from './login.js';
import { guarded, readVerifiedForm, signedOut, withCookie } from './page-flow.js';
import { renderConsentPage } from './pages.js';
import { formActionSourceFor, redirectHost } from './redirect-uri.js';
import {
  consentScopes,
  describeScope,
  OFFLINE_ACCESS,
  parseScopeParam,
  formatScopes,
} from './scopes.js';
import { pageHeaders } from './security-headers.js';
import { csrfFor, currentUser } from './session.js';

function consentPage(
  request: CoreRequest,
  authorization: AuthorizationRequest,
  user: User,
  context: OAuthContext,
): CoreResponse {
  const csrf = csrfFor(request, context.config);
  const hidden: Record<string, string> = {
    response_type: 'code',
    client_id: authorization.client.clientId,
    redirect_uri: authorization.redirectUri,
    code_challenge: authorization.codeChallenge,
    code_challenge_method: 'S256',
    resource: authorization.resource,
    requested_scope: formatScopes(authorization.requestedScopes),
  };
  if (authorization.state !== undefined) hidden.state = authorization.state;
  // Every scope is offered and checked: a narrow default means 403s on write tools later (quirk scopes-discoverable).
  const scopes = consentScopes(authorization.requestedScopes).map((name) => ({
    name,
    description: describeScope(name),
    checked: true,
  }));
  const html = renderConsentPage({
    clientName: clientName(authorization),
    redirectHost: redirectHost(authorization.redirectUri),
    userEmail: user.email,
    scopes,
    hidden,
    csrfToken: csrf.token,
  });
  // The browser applies form-action to the 302 after Allow; the client's origin must be in it (quirk consent-form-action).
  const headers = pageHeaders(formActionSourceFor(authorization.redirectUri));
  return withCookie(htmlResponse(200, html, headers), csrf.setCookie);
}

export async function handleAuthorize(
  request: CoreRequest,
  context: OAuthContext,
): Promise<CoreResponse> {
  return guarded(context, async () => {
    const authorization = await parseAuthorizationRequest(request.url.searchParams, context);
    const user = await currentUser(request, context);
    if (authorization.prompt === 'none') {
      const code = user ? 'consent_required' : 'login_required';
      const error = new OAuthError(code, 'This server always asks the user');
      throw new AuthorizationRedirectError(error, authorization.redirectUri, authorization.state);
    }
    if (!user)
      return loginPage(
        request,
        authorization,
        context,
        `${request.url.pathname}${request.url.search}`,
      );
    return consentPage(request, authorization, user, context);
  });
}

/** The scopes the user left checked, limited to what the page offered. */
function approvedScopes(form: URLSearchParams, authorization: AuthorizationRequest): string[] {
  const offered = new Set(consentScopes(authorization.requestedScopes));
  return [...new Set(form.getAll('scope').flatMap(parseScopeParam))].filter((scope) =>
    offered.has(scope),
  );
}

async function issueCode(
  authorization: AuthorizationRequest,
  user: User,
  scopes: string[],
  context: OAuthContext,
): Promise<string> {
  const code = randomToken();
  const now = context.now();
  const grantId = randomToken(16);
  await context.store.createGrantWithCode(
    {
      grantId,
      clientId: authorization.client.clientId,
      userId: user.userId,
      scopes,
      resource: authorization.resource,
      createdAt: now,
      revokedAt: null,
    },
    {
      codeHash: sha256(code),
      grantId,
      clientId: authorization.client.clientId,
      userId: user.userId,
      redirectUri: authorization.redirectUri,
      codeChallenge: authorization.codeChallenge,
      scopes,
      resource: authorization.resource,
      expiresAt: now + context.config.authorizationCodeTtl,
    },
  );
  return code;
}

export async function handleConsent(
  request: CoreRequest,
  context: OAuthContext,
): Promise<CoreResponse> {
  return guarded(context, async () => {
    const form = readVerifiedForm(request, context);
    const user = await currentUser(request, context);
    if (!user) throw signedOut();
    const params = new URLSearchParams(form);
    params.delete('scope');
    params.set('scope', form.get('requested_scope') ?? '');
    const authorization = await parseAuthorizationRequest(params, context);
    const { redirectUri, state } = authorization;
    const scopes = approvedScopes(form, authorization);
    if (single(form, 'decision') !== 'approve') {
      throw new AuthorizationRedirectError(
        new OAuthError('access_denied', 'The user denied access'),
        redirectUri,
        state,
      );
    }
    if (!scopes.some((scope) => scope !== OFFLINE_ACCESS)) {
      throw new AuthorizationRedirectError(
        new OAuthError('access_denied', 'No permission was granted'),
        redirectUri,
        state,
      );
    }
    const code = await issueCode(authorization, user, scopes, context);
    // 302 Found, never 303: claude.ai ends with 0 tools after a 303 (quirk consent-302).
    return redirectResponse(
      authorizationResponseUrl(redirectUri, { code, state }, context),
      pageHeaders(),
    );
  });
}
