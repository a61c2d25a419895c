import type { CoreRequest, CoreResponse } from '../../../src/oauth/http.js';
import type { ResponseRewrite } from './server.js';

/**
 * Rewrites that switch one quirk patch off by changing the app's answers on their way out, the way a
 * server without the patch would answer. The product code has no such switches; only these tests do.
 */

type PageKind = 'login' | 'consent';

const FORM_ACTIONS: Record<PageKind, string> = {
  login: 'action="/oauth/login"',
  consent: 'action="/oauth/authorize"',
};

function isPage(response: CoreResponse, kind: PageKind): boolean {
  return (
    (response.headers['content-type'] ?? '').startsWith('text/html') &&
    (response.body ?? '').includes(FORM_ACTIONS[kind])
  );
}

function isConsentDecision(request: CoreRequest): boolean {
  return request.method === 'POST' && /^\/(oauth\/)?authorize\/?$/.test(request.url.pathname);
}

/** consent-302 off: the consent POST answers 303 See Other. */
export const seeOtherAfterConsent: ResponseRewrite = (response, request) =>
  isConsentDecision(request) && response.status === 302 ? { ...response, status: 303 } : response;

/** consent-referrer off: the page says `Referrer-Policy: no-referrer` in its header and its meta tag. */
export function noReferrerOn(kind: PageKind): ResponseRewrite {
  const patchedMeta = '<meta name="referrer" content="same-origin">';
  return (response) => {
    if (!isPage(response, kind)) return response;
    if (!response.body!.includes(patchedMeta))
      throw new Error(`the ${kind} page has no ${patchedMeta} to switch off`);
    return {
      ...response,
      headers: { ...response.headers, 'referrer-policy': 'no-referrer' },
      body: response.body!.replace(patchedMeta, '<meta name="referrer" content="no-referrer">'),
    };
  };
}

/** consent-form-action off: the consent page keeps the site-wide `form-action 'self'`. */
export const selfOnlyFormActionOnConsent: ResponseRewrite = (response) => {
  const csp = response.headers['content-security-policy'];
  if (!csp || !isPage(response, 'consent')) return response;
  return {
    ...response,
    headers: {
      ...response.headers,
      'content-security-policy': csp.replace(/form-action [^;]*/, "form-action 'self'"),
    },
  };
};

/** Clickjacking protection off: no X-Frame-Options and no frame-ancestors on any page. */
export const framingAllowed: ResponseRewrite = (response) => {
  const csp = response.headers['content-security-policy'];
  if (!csp) return response;
  const { 'x-frame-options': _removed, ...headers } = response.headers;
  const withoutFrameAncestors = csp
    .split(';')
    .map((directive) => directive.trim())
    .filter((directive) => !directive.startsWith('frame-ancestors'))
    .join('; ');
  return { ...response, headers: { ...headers, 'content-security-policy': withoutFrameAncestors } };
};
