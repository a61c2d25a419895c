import type { Config } from '../config.js';
import type { User } from '../storage/store.js';
import type { OAuthContext } from './context.js';
import { constantTimeEqual, hmac, randomToken, sha256 } from './crypto.js';
import { header, type CoreRequest } from './http.js';

const SESSION_COOKIE = 'mcp_session';
const CSRF_COOKIE = 'mcp_csrf';

function isHttps(config: Config): boolean {
  return config.publicUrl.startsWith('https:');
}

/** `__Host-` pins the cookie to this origin; browsers accept it only with Secure, i.e. over https. */
export function cookieName(config: Config, base: string): string {
  return isHttps(config) ? `__Host-${base}` : base;
}

export function serializeCookie(
  config: Config,
  name: string,
  value: string,
  maxAgeSeconds: number,
): string {
  const parts = [
    `${name}=${value}`,
    'Path=/',
    `Max-Age=${maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Lax',
  ];
  if (isHttps(config)) parts.push('Secure');
  return parts.join('; ');
}

export function readCookies(request: CoreRequest): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const pair of (header(request, 'cookie') ?? '').split(';')) {
    const index = pair.indexOf('=');
    if (index > 0) cookies.set(pair.slice(0, index).trim(), pair.slice(index + 1).trim());
  }
  return cookies;
}

export interface CsrfState {
  /** The value for the form's hidden csrf_token field. */
  token: string;
  /** Set-Cookie to send when the browser had no CSRF cookie yet. */
  setCookie?: string;
}

/** Double-submit CSRF: a random cookie, and a form token that is its HMAC under SESSION_SECRET. */
export function csrfFor(request: CoreRequest, config: Config): CsrfState {
  const name = cookieName(config, CSRF_COOKIE);
  const existing = readCookies(request).get(name);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing))
    return { token: hmac(config.sessionSecret, existing) };
  const value = randomToken();
  return {
    token: hmac(config.sessionSecret, value),
    setCookie: serializeCookie(config, name, value, 3600),
  };
}

/**
 * A form post is ours when its token matches the CSRF cookie and, if the browser sent an Origin,
 * it is our own origin. `Origin: null` is refused: it is what a no-referrer page produces.
 */
export function isValidCsrf(
  request: CoreRequest,
  config: Config,
  formToken: string | undefined,
): boolean {
  const origin = header(request, 'origin');
  if (origin !== undefined && origin !== new URL(config.publicUrl).origin) return false;
  const cookie = readCookies(request).get(cookieName(config, CSRF_COOKIE));
  if (!cookie || !formToken) return false;
  return constantTimeEqual(hmac(config.sessionSecret, cookie), formToken);
}

export async function currentUser(
  request: CoreRequest,
  context: OAuthContext,
): Promise<User | undefined> {
  const sessionId = readCookies(request).get(cookieName(context.config, SESSION_COOKIE));
  if (!sessionId) return undefined;
  const session = await context.store.findSession(sha256(sessionId), context.now());
  return session ? context.store.findUserById(session.userId) : undefined;
}

/** Starts a session for the user and returns its Set-Cookie value. */
export async function startSession(user: User, context: OAuthContext): Promise<string> {
  const sessionId = randomToken();
  const { config } = context;
  await context.store.createSession({
    sessionHash: sha256(sessionId),
    userId: user.userId,
    expiresAt: context.now() + config.sessionTtl,
  });
  return serializeCookie(config, cookieName(config, SESSION_COOKIE), sessionId, config.sessionTtl);
}
