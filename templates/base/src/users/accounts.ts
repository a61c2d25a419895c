/**
 * Who may sign in. This file is yours: replace verifyCredentials to check your own user system
 * (an existing database, LDAP, a company SSO session) and keep its signature.
 */
import { randomUUID } from 'node:crypto';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../passwords/passwords.js';
import type { Store, User } from '../storage/store.js';

export const MIN_PASSWORD_LENGTH = 12;

export async function createAccount(store: Store, email: string, password: string): Promise<User> {
  const normalized = email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(normalized)) throw new Error(`"${email}" is not an email address`);
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new Error(`the password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const user: User = {
    userId: randomUUID(),
    email: normalized,
    passwordHash: await hashPassword(password),
    createdAt: Math.floor(Date.now() / 1000),
  };
  await store.createUser(user);
  return user;
}

/**
 * The user when the password is right. Unknown emails cost the same time as wrong passwords.
 * (After a good login the server replaces a hash weaker than today's: src/passwords/rehash.ts.)
 */
export async function verifyCredentials(
  store: Store,
  email: string,
  password: string,
): Promise<User | undefined> {
  const user = await store.findUserByEmail(email.trim().toLowerCase());
  const valid = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
  return user && valid ? user : undefined;
}
