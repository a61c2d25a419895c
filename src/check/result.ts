/** One verdict of the checker: which quirk or rule, for which client profile, and the evidence. */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'not-checkable';

export interface CheckResult {
  /** A quirk id from the catalogue (src/quirks.ts) or a rule id from ./rules.ts. */
  id: string;
  status: CheckStatus;
  stage: string;
  /** The client profile this was checked for; absent when it holds for every client. */
  profile?: string;
  /** What was checked, in a few words. */
  title: string;
  /** What was wrong (or why it could not be checked); empty on a pass. */
  detail?: string;
  /** The request that proves it, secrets redacted. */
  sent?: string;
  /** What came back, secrets redacted and shortened. */
  received?: string;
}

export const STATUS_ORDER: readonly CheckStatus[] = ['fail', 'warn', 'not-checkable', 'pass'];
