import { scrypt, timingSafeEqual } from 'node:crypto';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { randomToken } from '../oauth/crypto.js';

/**
 * Password hashing for the built-in accounts: argon2id with OWASP's minimum (19 MiB, 2 passes).
 * Hashes are PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) that carry their own
 * parameters, so raising the cost later only needs needsRehash() to say so at the next login.
 */

/** PASSWORD_HASH_COST: `standard`, or `test`, a tiny cost that keeps test suites fast. */
export type PasswordHashCost = 'standard' | 'test';

const ARGON2ID = {
  standard: { memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 },
  test: { memoryCost: 256, timeCost: 1, parallelism: 1 },
} as const satisfies Record<PasswordHashCost, object>;

/** Reads PASSWORD_HASH_COST; loadConfig reports the error and refuses `test` in production. */
export function parsePasswordHashCost(raw: string | undefined): PasswordHashCost {
  const value = raw?.trim().toLowerCase() || 'standard';
  if (value !== 'standard' && value !== 'test') {
    throw new Error(`PASSWORD_HASH_COST must be "standard" or "test", got "${raw}"`);
  }
  return value;
}

/** The cost the environment asks for (the server and the CLI load .env into it first). */
function configuredCost(): PasswordHashCost {
  return parsePasswordHashCost(process.env.PASSWORD_HASH_COST);
}

export function hashPassword(password: string, cost = configuredCost()): Promise<string> {
  return hash(password, { algorithm: Algorithm.Argon2id, ...ARGON2ID[cost] });
}

/** True when the password matches. Hashes written by 0.1.0 (scrypt) are still understood. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  if (encoded.startsWith('scrypt$')) return verifyLegacyScrypt(password, encoded);
  try {
    return await verify(encoded, password);
  } catch {
    return false; // not a hash we can read
  }
}

/** True when the hash is weaker than what hashPassword writes now: rehash it after a good login. */
export function needsRehash(encoded: string, cost = configuredCost()): boolean {
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(encoded);
  if (!match) return true;
  const wanted = ARGON2ID[cost];
  return Number(match[1]) < wanted.memoryCost || Number(match[2]) < wanted.timeCost;
}

/** A fixed hash to verify against when the account does not exist, so timing does not reveal it. */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomToken());
  return dummyHash;
}

/** 0.1.0 wrote `scrypt$N$r$p$salt$hash` (N = 2^14): verified so those accounts can sign in once more. */
async function verifyLegacyScrypt(password: string, encoded: string): Promise<boolean> {
  const [, n, r, p, salt, expected] = encoded.split('$');
  if (!n || !r || !p || !salt || !expected) return false;
  const N = Number(n);
  const blockSize = Number(r);
  const parallelization = Number(p);
  const expectedBytes = Buffer.from(expected, 'base64url');
  const actual = await new Promise<Buffer | undefined>((resolve) =>
    scrypt(
      password,
      Buffer.from(salt, 'base64url'),
      expectedBytes.length,
      // scrypt needs 128 * N * r bytes; room for that plus node's own overhead.
      { N, r: blockSize, p: parallelization, maxmem: 256 * N * blockSize + 1024 * 1024 },
      (error, key) => resolve(error ? undefined : key),
    ),
  );
  return actual !== undefined && timingSafeEqual(actual, expectedBytes);
}
