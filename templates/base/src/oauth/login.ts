import { rehashIfWeak } from '../passwords/rehash.js';
import { verifyCredentials } from '../users/accounts.js';
import { parseAuthorizationRequest, type AuthorizationRequest } from './authorization-request.js';
import type { OAuthContext } from './context.js';
import { htmlResponse, redirectResponse, type CoreRequest, type CoreResponse } from './http.js';
import { admitLoginAttempt, knownDeviceCookie, recordLoginFailure } from './login-throttle.js';
import { guarded, PageError, readVerifiedForm, withCookie } from './page-flow.js';
import { renderLoginPage } from './pages.js';
import { redirectTarget } from './redirect-uri.js';
import { pageHeaders } from './security-headers.js';
import { csrfFor, startSession } from './session.js';

const AUTHORIZE_PATHS = ['/oauth/authorize', '/authorize'];

export function clientName(authorization: AuthorizationRequest): string {
  return authorization.client.clientName ?? 'An application';
}

/** The sign-in page; after signing in the browser returns to `returnTo`, the authorize request. */
export function loginPage(
  request: CoreRequest,
  authorization: AuthorizationRequest,
  context: OAuthContext,
  returnTo: string,
  error?: { message: string; email: string },
): CoreResponse {
  const csrf = csrfFor(request, context.config);
  const html = renderLoginPage({
    clientName: clientName(authorization),
    redirectTarget: redirectTarget(authorization.redirectUri),
    returnTo,
    csrfToken: csrf.token,
    email: error?.email,
    error: error?.message,
  });
  return withCookie(htmlResponse(error ? 401 : 200, html, pageHeaders()), csrf.setCookie);
}

/** Only our own authorize URL may be returned to after login: anything else would be an open redirect. */
function safeReturnTo(value: string | null): string {
  const url = value?.startsWith('/') ? new URL(value, 'http://placeholder') : undefined;
  if (!url || !AUTHORIZE_PATHS.includes(url.pathname.replace(/\/$/, ''))) {
    throw new PageError(
      400,
      'This request cannot be completed',
      'The sign-in form is missing where to continue.',
    );
  }
  return `${url.pathname}${url.search}`;
}

export async function handleLogin(
  request: CoreRequest,
  context: OAuthContext,
): Promise<CoreResponse> {
  return guarded(context, async () => {
    const form = readVerifiedForm(request, context);
    const returnTo = safeReturnTo(form.get('return_to'));
    const email = (form.get('email') ?? '').trim();
    const attempt = await admitLoginAttempt(request, email, context);
    const authorization = await parseAuthorizationRequest(
      new URL(returnTo, context.config.publicUrl).searchParams,
      context,
    );
    const password = form.get('password') ?? '';
    const user = await verifyCredentials(context.store, email, password);
    if (!user) {
      await recordLoginFailure(attempt, context);
      return loginPage(request, authorization, context, returnTo, {
        message: 'The email or password is not right.',
        email,
      });
    }
    await rehashIfWeak(context.store, user, password);
    const cookie = await startSession(user, context);
    const response = withCookie(redirectResponse(returnTo, pageHeaders()), cookie);
    return withCookie(response, knownDeviceCookie(attempt.account, context));
  });
}
