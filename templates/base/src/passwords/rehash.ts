import type { Store, User } from '../storage/store.js';
import { hashPassword, needsRehash, verifyPassword } from './passwords.js';

/**
 * Replaces a stored hash weaker than what hashPassword writes today (0.1.0's scrypt, a lower cost)
 * while the password that matched it is at hand. The login route calls it after verifyCredentials,
 * which is yours (src/users/accounts.ts) and may not know about rehashing; the password is checked
 * against the stored hash again because verifyCredentials may have checked another user system.
 */
export async function rehashIfWeak(store: Store, user: User, password: string): Promise<void> {
  // The usual case, a current hash straight from the store, costs no query.
  if (!needsRehash(user.passwordHash)) return;
  const stored = await store.findUserById(user.userId);
  if (!stored?.passwordHash || !needsRehash(stored.passwordHash)) return;
  if (!(await verifyPassword(password, stored.passwordHash))) return;
  await store.setPasswordHash(user.userId, await hashPassword(password));
}
