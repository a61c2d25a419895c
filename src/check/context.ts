/** What one run knows so far, shared by the stages in order: each stage reads what earlier ones found. */
import type { Exchange, HttpClient } from './http.js';
import type { ClientProfile } from './profiles.js';
import type { CheckResult, CheckStatus } from './result.js';

export type Json = Record<string, unknown>;

export interface RegisteredClient {
  profile: ClientProfile;
  clientId: string;
  clientSecret?: string;
  authMethod: string;
  redirectUris: string[];
  /** RFC 7592 management, when the server offers it on this origin. */
  registrationClientUri?: string;
  registrationAccessToken?: string;
}

export interface Discovery {
  /** The MCP endpoint as given, e.g. https://mcp.example.com/mcp. */
  resource: string;
  prm?: Json;
  asMetadata?: Json;
  issuer?: string;
  /** Scope from WWW-Authenticate, else PRM scopes_supported. */
  baselineScopes: string[];
}

export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  scope?: string;
}

/** What --login obtained: the client it registered and its current tokens. */
export interface LoginSession {
  client: RegisteredClient;
  tokens: TokenSet;
  /** The redeemed code: replayed last (a replay may revoke the grant, RFC 6749 §4.1.2). */
  usedCode: { code: string; verifier: string };
}

export interface CheckContext {
  target: URL;
  login?: LoginSession;
  http: HttpClient;
  profiles: ClientProfile[];
  discovery: Discovery;
  clients: RegisteredClient[];
  results: CheckResult[];
}

export interface Verdict {
  id: string;
  title: string;
  profile?: string;
  status: CheckStatus;
  detail?: string;
  evidence?: Exchange;
}

export function record(context: CheckContext, stage: string, verdict: Verdict): void {
  const { evidence, ...rest } = verdict;
  context.results.push({
    ...rest,
    stage,
    ...(evidence ? { sent: evidence.sent, received: evidence.received } : {}),
  });
}

/** A stage's recorder: `check(ok, ...)` turns a condition and the problem text into pass or fail. */
export function recorder(context: CheckContext, stage: string) {
  const add = (verdict: Verdict) => record(context, stage, verdict);
  return {
    add,
    check(
      ok: boolean,
      verdict: Omit<Verdict, 'status' | 'detail'> & { problem: string; severity?: 'fail' | 'warn' },
    ): boolean {
      const { problem, severity, ...rest } = verdict;
      add({ ...rest, status: ok ? 'pass' : (severity ?? 'fail'), ...(ok ? {} : { detail: problem }) });
      return ok;
    },
    notCheckable(verdict: Omit<Verdict, 'status'>): void {
      add({ ...verdict, status: 'not-checkable' });
    },
  };
}

export function asJson(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** An endpoint the AS metadata advertises, or undefined. */
export function advertisedEndpoint(context: CheckContext, field: string): string | undefined {
  const value = context.discovery.asMetadata?.[field];
  return typeof value === 'string' ? value : undefined;
}

/** An endpoint from AS metadata as a URL on the target origin, or the given fallback path. */
export function endpointUrl(context: CheckContext, field: string, fallbackPath: string): string {
  const value = context.discovery.asMetadata?.[field];
  return typeof value === 'string' ? value : new URL(fallbackPath, context.target.origin).href;
}

/**
 * Whether an OAuth error answer has the expected status and, when its body is JSON, the expected error code.
 * A non-JSON body is judged by its status alone: that it is not JSON is the json-errors check's finding.
 */
export function oauthErrorProblem(exchange: Exchange, status: number, error: string): string | undefined {
  const body = asJson(exchange.answer.json);
  const got = typeof body?.error === 'string' ? body.error : undefined;
  if (exchange.answer.status === status && (got === undefined ? body === undefined : got === error)) return undefined;
  const shown = got ? `error=${got}` : `(${exchange.answer.headers.get('content-type') ?? 'no content-type'})`;
  return `answered ${exchange.answer.status} ${shown}; expected ${status} ${error}`;
}

/** The JSON error code of an answer, if it has one. */
export function jsonErrorCode(exchange: Exchange): string | undefined {
  const body = asJson(exchange.answer.json);
  return typeof body?.error === 'string' ? body.error : undefined;
}
