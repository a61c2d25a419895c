import { constantTimeEqual, hmac, randomToken } from './crypto.js';

/**
 * A pending authorization request: what one consent page asks the user to approve (quirk
 * consent-idempotent). Every GET /authorize that shows the consent page makes a new one, so a double
 * load or two tabs never share or overwrite each other's request. It travels in the consent form,
 * sealed with SESSION_SECRET, so whichever instance receives the POST can read it back.
 *
 * Its random id fixes the grant id and the authorization code that approving it creates. A second
 * Approve of the same pending request therefore finds the grant the first one stored and answers with
 * the same code: nothing is minted twice, and the store still holds only the code's hash.
 */

/** How long a consent page can be answered. */
export const PENDING_AUTHORIZATION_TTL_SECONDS = 600;
/** How long a repeated Approve (a double click, a resubmitted form) gets the first answer again. */
export const REPEATED_APPROVAL_SECONDS = 60;

export interface PendingAuthorization {
  id: string;
  /** The user the consent page was shown to. */
  userId: string;
  createdAt: number;
  /** The /authorize parameters as they were validated when the page was shown. */
  params: string;
}

export function newPendingAuthorization(
  userId: string,
  params: URLSearchParams,
  now: number,
): PendingAuthorization {
  return { id: randomToken(), userId, createdAt: now, params: params.toString() };
}

function seal(secret: string, payload: string): string {
  return hmac(secret, `pending-authorization.${payload}`);
}

/** The value of the consent form's pending_request field. */
export function sealPendingAuthorization(pending: PendingAuthorization, secret: string): string {
  const payload = Buffer.from(JSON.stringify(pending)).toString('base64url');
  return `${payload}.${seal(secret, payload)}`;
}

function isPendingAuthorization(value: unknown): value is PendingAuthorization {
  const pending = value as Partial<PendingAuthorization> | null;
  return (
    typeof pending?.id === 'string' &&
    typeof pending.userId === 'string' &&
    typeof pending.createdAt === 'number' &&
    typeof pending.params === 'string'
  );
}

/** The pending request a consent form carries, or undefined when the field is missing or was altered. */
export function openPendingAuthorization(
  sealed: string | undefined,
  secret: string,
): PendingAuthorization | undefined {
  const [payload, signature, ...rest] = (sealed ?? '').split('.');
  if (!payload || !signature || rest.length > 0) return undefined;
  if (!constantTimeEqual(seal(secret, payload), signature)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  return isPendingAuthorization(value) ? value : undefined;
}

export function isExpired(pending: PendingAuthorization, now: number): boolean {
  return now >= pending.createdAt + PENDING_AUTHORIZATION_TTL_SECONDS;
}

/**
 * The grant id and authorization code that approving this pending request creates, the same every
 * time. Both are HMACs of its 256-bit random id, so the code is as unguessable as a random one.
 */
export function approvalOf(
  pending: PendingAuthorization,
  secret: string,
): { grantId: string; code: string } {
  return {
    grantId: hmac(secret, `grant.${pending.id}`),
    code: hmac(secret, `authorization-code.${pending.id}`),
  };
}
