import {
  AuthorizationRedirectError,
  InvalidAuthorizationRequest,
  UnsafeAuthorizationRequest,
  authorizationResponseUrl,
} from './authorization-request.js';
import { readForm } from './body.js';
import type { OAuthContext } from './context.js';
import { OAuthError } from './errors.js';
import { htmlResponse, redirectResponse, type CoreRequest, type CoreResponse } from './http.js';
import { renderErrorPage, type ReturnLink } from './pages.js';
import { redirectTarget } from './redirect-uri.js';
import { pageHeaders } from './security-headers.js';
import { isValidCsrf } from './session.js';

/** What the browser-facing steps (authorize, login, consent) share: error pages, error redirects, forms. */

export const CANNOT_COMPLETE = 'This request cannot be completed';
const START_AGAIN = 'Go back to the application and start connecting again.';

export function errorPage(
  status: number,
  title: string,
  message: string,
  link?: ReturnLink,
): CoreResponse {
  return htmlResponse(status, renderErrorPage({ title, message, status, link }), pageHeaders());
}

/** A problem shown to the user as a page (never redirected to the client). */
export class PageError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
    readonly link?: ReturnLink,
  ) {
    super(message);
    this.name = 'PageError';
  }
}

/**
 * A link to the client's verified redirect URI carrying an OAuth error response: the user, having read
 * the page, decides whether to follow it (RFC 9700 §4.11.2), and the app then learns what went wrong.
 */
export function returnLink(
  redirectUri: string,
  error: OAuthError,
  state: string | undefined,
  context: OAuthContext,
): ReturnLink {
  const href = authorizationResponseUrl(
    redirectUri,
    { error: error.code, error_description: error.description, state },
    context,
  );
  return { href, target: redirectTarget(redirectUri) };
}

export const signedOut = () => new PageError(403, 'You are signed out', START_AGAIN);

function redirectWithError(error: AuthorizationRedirectError, context: OAuthContext): CoreResponse {
  const location = authorizationResponseUrl(
    error.redirectUri,
    { error: error.error.code, error_description: error.error.description, state: error.state },
    context,
  );
  return redirectResponse(location, pageHeaders());
}

/** Runs a browser-facing step, turning request problems into an error page or an error redirect. */
export async function guarded(
  context: OAuthContext,
  step: () => Promise<CoreResponse>,
): Promise<CoreResponse> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof PageError)
      return errorPage(error.status, error.title, error.message, error.link);
    if (error instanceof UnsafeAuthorizationRequest)
      return errorPage(400, CANNOT_COMPLETE, error.message);
    if (error instanceof InvalidAuthorizationRequest) {
      const link = returnLink(error.redirectUri, error.error, error.state, context);
      return errorPage(400, CANNOT_COMPLETE, error.error.description, link);
    }
    if (error instanceof AuthorizationRedirectError) return redirectWithError(error, context);
    throw error;
  }
}

/** A posted login or consent form, after its CSRF token and Origin were checked. */
export function readVerifiedForm(request: CoreRequest, context: OAuthContext): URLSearchParams {
  let form: URLSearchParams;
  try {
    form = readForm(request);
  } catch (error) {
    throw new PageError(400, CANNOT_COMPLETE, (error as OAuthError).description);
  }
  if (!isValidCsrf(request, context.config, form.get('csrf_token') ?? undefined)) {
    throw new PageError(403, 'This form has expired', START_AGAIN);
  }
  return form;
}

export function withCookie(response: CoreResponse, cookie: string | undefined): CoreResponse {
  return cookie ? { ...response, cookies: [...(response.cookies ?? []), cookie] } : response;
}
