import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 bits of randomness, base64url: access tokens, refresh tokens, codes, secrets, session ids. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** What the store keeps instead of a secret. High-entropy secrets need no salt or slow hash. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

export function hmac(secret: string, value: string): string {
  return createHmac('sha256', secret).update(value).digest('base64url');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Kept for src/users/accounts.ts of projects generated before 0.2.0: password hashing moved. */
export { dummyPasswordHash, hashPassword, verifyPassword } from '../passwords/passwords.js';
