/** Headers for JSON API answers: never cached, never sniffed. */
export const API_HEADERS: Record<string, string> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** Token responses additionally carry Pragma for HTTP/1.0 caches (RFC 6749 §5.1). */
export const TOKEN_RESPONSE_HEADERS: Record<string, string> = {
  ...API_HEADERS,
  pragma: 'no-cache',
};

/**
 * Headers for the login, consent and error pages.
 * - Referrer-Policy same-origin, not no-referrer: with no-referrer Chromium and Safari send
 *   `Origin: null` on the same-origin form POST and the CSRF check rejects it (quirk consent-referrer).
 * - form-action also applies to the redirect that follows a form submission (CSP3 §6.4), so the
 *   consent page must allow the client's redirect origin or the browser drops the 302 (quirk consent-form-action).
 */
export function pageHeaders(extraFormActionSource?: string): Record<string, string> {
  const formAction = extraFormActionSource ? `'self' ${extraFormActionSource}` : "'self'";
  return {
    'content-security-policy': [
      "default-src 'none'",
      "style-src 'unsafe-inline'",
      'img-src data:',
      `form-action ${formAction}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; '),
    'referrer-policy': 'same-origin',
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  };
}
