import { DuplicateKeyError, type User } from '../storage/store.js';
import {
  AuthorizationRedirectError,
  InvalidAuthorizationRequest,
  authorizationResponseUrl,
  parseAuthorizationRequest,
  type AuthorizationRequest,
} from './authorization-request.js';
import { single } from './body.js';
import { clientMetadataHost } from './clients.js';
import type { OAuthContext } from './context.js';
import { sha256 } from './crypto.js';
import { OAuthError } from './errors.js';
import { htmlResponse, redirectResponse, type CoreRequest, type CoreResponse } from './http.js';
import { clientName, loginPage } from './login.js';
import {
  CANNOT_COMPLETE,
  guarded,
  PageError,
  readVerifiedForm,
  returnLink,
  signedOut,
  withCookie,
} from './page-flow.js';
import { renderConsentPage } from './pages.js';
import {
  approvalOf,
  isExpired,
  newPendingAuthorization,
  openPendingAuthorization,
  REPEATED_APPROVAL_SECONDS,
  sealPendingAuthorization,
  type PendingAuthorization,
} from './pending-authorization.js';
import { formActionSourceFor, redirectTarget } from './redirect-uri.js';
import {
  consentScopes,
  describeScope,
  OFFLINE_ACCESS,
  parseScopeParam,
  formatScopes,
} from './scopes.js';
import { pageHeaders } from './security-headers.js';
import { csrfFor, currentUser } from './session.js';

/** The request as validated, in the form parseAuthorizationRequest reads, for the pending request to keep. */
function validatedParams(authorization: AuthorizationRequest): URLSearchParams {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: authorization.client.clientId,
    redirect_uri: authorization.redirectUri,
    code_challenge: authorization.codeChallenge,
    code_challenge_method: 'S256',
    resource: authorization.resource,
    scope: formatScopes(authorization.requestedScopes),
  });
  if (authorization.state !== undefined) params.set('state', authorization.state);
  return params;
}

function consentPage(
  request: CoreRequest,
  authorization: AuthorizationRequest,
  user: User,
  context: OAuthContext,
): CoreResponse {
  const csrf = csrfFor(request, context.config);
  // Each page gets a pending request of its own: two tabs never overwrite each other (quirk consent-idempotent).
  const pending = newPendingAuthorization(
    user.userId,
    validatedParams(authorization),
    context.now(),
  );
  // Every scope is offered and checked: a narrow default means 403s on write tools later (quirk scopes-discoverable).
  const scopes = consentScopes(authorization.requestedScopes).map((name) => ({
    name,
    description: describeScope(name),
    checked: true,
  }));
  const html = renderConsentPage({
    clientName: clientName(authorization),
    clientMetadataHost: clientMetadataHost(authorization.client, context),
    redirectTarget: redirectTarget(authorization.redirectUri),
    userEmail: user.email,
    scopes,
    hidden: {
      pending_request: sealPendingAuthorization(pending, context.config.sessionSecret),
    },
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
      // Answering without the user would redirect to an unverified URI unasked (RFC 9700 §4.11.2).
      const code = user ? 'consent_required' : 'login_required';
      const error = new OAuthError(code, 'This server always asks the user');
      throw new InvalidAuthorizationRequest(error, authorization.redirectUri, authorization.state);
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

/** A consent form that can no longer be answered: a page, with the way back to the app. */
function closedRequest(
  title: string,
  reason: string,
  authorization: AuthorizationRequest,
  context: OAuthContext,
): PageError {
  const error = new OAuthError('access_denied', `${reason} Start connecting again.`);
  const link = returnLink(authorization.redirectUri, error, authorization.state, context);
  return new PageError(400, title, `${reason} Go back to the app and connect again.`, link);
}

/** The pending request the consent form answers, read back and validated again like GET /authorize. */
async function answeredRequest(
  form: URLSearchParams,
  user: User,
  context: OAuthContext,
): Promise<{ pending: PendingAuthorization; authorization: AuthorizationRequest }> {
  const pending = openPendingAuthorization(
    single(form, 'pending_request'),
    context.config.sessionSecret,
  );
  if (!pending) {
    throw new PageError(400, CANNOT_COMPLETE, 'The consent form is incomplete or was changed.');
  }
  // The same checks and redirect matcher as GET /authorize (quirk loopback-matcher-everywhere).
  const authorization = await parseAuthorizationRequest(
    new URLSearchParams(pending.params),
    context,
  );
  if (pending.userId !== user.userId) {
    throw closedRequest(
      'This page was for another account',
      'It was shown before you signed in as someone else.',
      authorization,
      context,
    );
  }
  if (isExpired(pending, context.now())) {
    throw closedRequest(
      'This request has expired',
      'The consent page was open for too long.',
      authorization,
      context,
    );
  }
  return { pending, authorization };
}

/**
 * Creates the grant and code of this pending request. When an earlier Approve of it already did (a
 * double click, a resubmitted form), the same code is answered again for REPEATED_APPROVAL_SECONDS
 * and nothing new is stored (quirk consent-idempotent).
 */
async function approve(
  pending: PendingAuthorization,
  authorization: AuthorizationRequest,
  user: User,
  scopes: string[],
  context: OAuthContext,
): Promise<string> {
  const approval = approvalOf(pending, context.config.sessionSecret);
  const now = context.now();
  try {
    await storeGrantWithCode(approval, authorization, user, scopes, context);
    return approval.code;
  } catch (error) {
    if (!(error instanceof DuplicateKeyError)) throw error;
  }
  const earlier = await context.store.findGrant(approval.grantId);
  if (earlier && earlier.revokedAt === null && now < earlier.createdAt + REPEATED_APPROVAL_SECONDS)
    return approval.code;
  throw closedRequest(
    'This request was already answered',
    'You approved it before.',
    authorization,
    context,
  );
}

async function storeGrantWithCode(
  { grantId, code }: { grantId: string; code: string },
  authorization: AuthorizationRequest,
  user: User,
  scopes: string[],
  context: OAuthContext,
): Promise<void> {
  const now = context.now();
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
}

export async function handleConsent(
  request: CoreRequest,
  context: OAuthContext,
): Promise<CoreResponse> {
  return guarded(context, async () => {
    const form = readVerifiedForm(request, context);
    const user = await currentUser(request, context);
    if (!user) throw signedOut();
    const { pending, authorization } = await answeredRequest(form, user, context);
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
    const code = await approve(pending, authorization, user, scopes, context);
    // 302 Found, never 303: claude.ai ends with 0 tools after a 303 (quirk consent-302).
    return redirectResponse(
      authorizationResponseUrl(redirectUri, { code, state }, context),
      pageHeaders(),
    );
  });
}
