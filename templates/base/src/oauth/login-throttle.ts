import type { LoginAccountLimit } from '../config.js';
import type { OAuthContext } from './context.js';
import { constantTimeEqual, hmac } from './crypto.js';
import { RateLimitedError } from './errors.js';
import type { CoreRequest } from './http.js';
import { enforceRateLimit, requestAddressKey, secondsLeftInWindow } from './rate-limit.js';
import { cookieName, readCookies, serializeCookie } from './session.js';

/**
 * Sign-in throttling, per client address and per account.
 *
 * - Per address: RATE_LIMIT_LOGIN attempts a minute.
 * - Per account, whatever address the attempts come from (a botnet gets no more guesses than one
 *   machine): after RATE_LIMIT_LOGIN_ACCOUNT failures within 15 minutes the account takes one
 *   attempt per backoff slot, and the slot doubles with every further failure: 2 s, 4 s, 8 s, …
 *   up to LOGIN_BACKOFF_MAX_SECONDS.
 *
 * A plain lockout would let anyone lock the real user out by typing wrong passwords for them, and
 * so would a backoff alone (the attacker takes every slot). So a browser this account has signed
 * in from before carries a known-device cookie (OWASP's "device cookie": when it was issued, and
 * an HMAC binding that to the account under SESSION_SECRET) and skips the account backoff; it stays
 * under the per-address limit. An attacker slows down only browsers the account has never used,
 * and at worst for one slot at a time.
 */

const KNOWN_DEVICE_COOKIE = 'mcp_known_device';
const KNOWN_DEVICE_SECONDS = 180 * 24 * 3600;

export interface LoginAttempt {
  /** The lowercased email the attempt is for. */
  account: string;
  /** The browser carries this account's known-device cookie. */
  knownDevice: boolean;
}

/** Counts the attempt and throws RateLimitedError when the address or the account must wait. */
export async function admitLoginAttempt(
  request: CoreRequest,
  email: string,
  context: OAuthContext,
): Promise<LoginAttempt> {
  await enforceRateLimit(
    'login',
    context.config.rateLimits.login,
    requestAddressKey(request, context),
    context,
  );
  const account = email.trim().toLowerCase();
  const knownDevice = isKnownDevice(request, account, context);
  if (!knownDevice) await takeBackoffSlot(account, context);
  return { account, knownDevice };
}

/** Counts a wrong password for the account and starts the next, longer backoff slot. */
export async function recordLoginFailure(
  attempt: LoginAttempt,
  context: OAuthContext,
): Promise<void> {
  const limit = context.config.rateLimits.loginAccount;
  const now = context.now();
  const failures = await context.rateCounter.hit(
    failuresKey(attempt.account),
    limit.windowSeconds,
    now,
  );
  const slot = backoffSeconds(failures, limit);
  // The failed attempt uses up the current slot: the next attempt waits for the one after it.
  if (slot > 0) await context.rateCounter.hit(slotKey(attempt.account, slot), slot, now);
}

/** Set-Cookie for a successful sign-in: this browser is now a known device of the account. */
export function knownDeviceCookie(account: string, context: OAuthContext): string {
  const { config } = context;
  const issuedAt = String(context.now());
  const value = `${issuedAt}.${deviceSignature(account, issuedAt, config.sessionSecret)}`;
  return serializeCookie(
    config,
    cookieName(config, KNOWN_DEVICE_COOKIE),
    value,
    KNOWN_DEVICE_SECONDS,
  );
}

async function takeBackoffSlot(account: string, context: OAuthContext): Promise<void> {
  const limit = context.config.rateLimits.loginAccount;
  const now = context.now();
  const failures = await context.rateCounter.hit(failuresKey(account), limit.windowSeconds, now, 0);
  const slot = backoffSeconds(failures, limit);
  if (slot === 0) return;
  const attempts = await context.rateCounter.hit(slotKey(account, slot), slot, now);
  if (attempts > 1) throw new RateLimitedError(secondsLeftInWindow(slot, now));
}

/** 0 while the account has failures to spare, then 2, 4, 8 … seconds, capped. */
function backoffSeconds(failures: number, limit: LoginAccountLimit): number {
  const over = failures - limit.freeFailures;
  return over < 0 ? 0 : Math.min(2 ** (over + 1), limit.maxBackoffSeconds);
}

function failuresKey(account: string): string {
  return `login-account-failures:${account}`;
}

function slotKey(account: string, slotSeconds: number): string {
  return `login-account-slot-${slotSeconds}:${account}`;
}

function deviceSignature(account: string, issuedAt: string, secret: string): string {
  return hmac(secret, `known-device:${issuedAt}:${account}`);
}

function isKnownDevice(request: CoreRequest, account: string, context: OAuthContext): boolean {
  const { config } = context;
  const [issuedAt, signature] = (
    readCookies(request).get(cookieName(config, KNOWN_DEVICE_COOKIE)) ?? ''
  ).split('.');
  if (!issuedAt || !signature || !/^\d+$/.test(issuedAt)) return false;
  if (Number(issuedAt) + KNOWN_DEVICE_SECONDS <= context.now()) return false;
  return constantTimeEqual(deviceSignature(account, issuedAt, config.sessionSecret), signature);
}
