/**
 * The checker's only way onto the network: one origin, a bounded number of requests, a timeout on each,
 * a cap on every body, and never a redirect followed. Each exchange is kept as evidence (secrets redacted).
 */
import { redactHeader, redactText, shorten } from './redact.js';

/** Metadata documents are a few KB; a megabyte is generous and keeps a hostile 10 MB body harmless. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** After this many timeouts or connection failures in a row the server is treated as gone. */
const MAX_CONSECUTIVE_NETWORK_FAILURES = 3;

export interface HttpRequest {
  method?: string;
  headers?: Record<string, string>;
  /** A JSON body (sets content-type). */
  json?: unknown;
  /** A form body (sets content-type); repeated names as arrays. */
  form?: Record<string, string | readonly string[] | undefined>;
  /** A raw body, e.g. deliberately malformed JSON. */
  body?: string;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body when it is JSON, else undefined. */
  json: unknown;
  /** The body was cut at MAX_BODY_BYTES. */
  truncated: boolean;
}

export interface Exchange {
  sent: string;
  received: string;
  answer: HttpAnswer;
}

/** The target cannot be reached at all (refused, DNS, TLS, timeout): exit code 2. */
export class UnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreachableError';
  }
}

/** A check wanted a URL on another origin (from metadata, a Location): never contacted. */
export class ForeignOriginError extends Error {
  constructor(readonly url: string) {
    super(`${url} is on another origin; the checker contacts only the origin it was given`);
    this.name = 'ForeignOriginError';
  }
}

export class RequestBudgetError extends Error {
  constructor(limit: number) {
    super(`the run reached its limit of ${limit} requests`);
    this.name = 'RequestBudgetError';
  }
}

export function formBody(fields: Record<string, string | readonly string[] | undefined>): string {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    for (const item of typeof value === 'string' ? [value] : value) body.append(name, item);
  }
  return body.toString();
}

function networkCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if ((error as Error).name === 'TimeoutError') return 'no answer within the timeout';
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

async function readCapped(response: Response): Promise<{ text: string; truncated: boolean }> {
  if (!response.body) return { text: '', truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      return { text: Buffer.concat(chunks).toString('utf8'), truncated: true };
    }
    chunks.push(value);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
}

function parseJson(text: string, contentType: string | null): unknown {
  if (!text || !/json/i.test(contentType ?? '')) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describeSent(method: string, url: URL, headers: Record<string, string>, body: string | undefined): string {
  const shown = Object.entries(headers)
    .filter(([name]) => !['content-type', 'accept', 'user-agent'].includes(name.toLowerCase()))
    .map(([name, value]) => `${name}: ${redactHeader(name, value)}`);
  const parts = [`${method} ${url.pathname}${redactText(url.search)}`, ...shown];
  if (body) parts.push(redactText(body));
  return shorten(parts.join(' | '), 300);
}

const INTERESTING_HEADERS = [
  'location',
  'content-type',
  'www-authenticate',
  'cache-control',
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-expose-headers',
  'access-control-max-age',
];

function describeReceived(answer: HttpAnswer): string {
  const headers = INTERESTING_HEADERS.filter((name) => answer.headers.has(name)).map(
    (name) => `${name}: ${answer.headers.get(name)}`,
  );
  const body = answer.truncated ? `[body over ${MAX_BODY_BYTES} bytes, not read]` : redactText(answer.text);
  return shorten([String(answer.status), ...headers, body].filter(Boolean).join(' | '), 400);
}

export interface HttpClientOptions {
  origin: string;
  timeoutMs: number;
  maxRequests: number;
  userAgent: string;
}

export class HttpClient {
  private count = 0;
  private networkFailuresInARow = 0;

  constructor(readonly options: HttpClientOptions) {}

  get requestsMade(): number {
    return this.count;
  }

  /** `target` is a path on the origin or an absolute URL that must be on it. */
  resolve(target: string): URL {
    const url = new URL(target, this.options.origin);
    if (url.origin !== this.options.origin) throw new ForeignOriginError(url.href);
    return url;
  }

  async request(target: string, request: HttpRequest = {}): Promise<Exchange> {
    const url = this.resolve(target);
    if (this.count >= this.options.maxRequests) throw new RequestBudgetError(this.options.maxRequests);
    this.count += 1;
    const method = request.method ?? (request.json !== undefined || request.form || request.body ? 'POST' : 'GET');
    const headers: Record<string, string> = { 'user-agent': this.options.userAgent, ...request.headers };
    let body = request.body;
    if (request.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(request.json);
    } else if (request.form) {
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
      body = formBody(request.form);
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      this.networkFailuresInARow += 1;
      const message = `${method} ${url.href}: ${networkCause(error)}`;
      if (this.count === 1 || this.networkFailuresInARow >= MAX_CONSECUTIVE_NETWORK_FAILURES) {
        throw new UnreachableError(message);
      }
      throw new Error(message);
    }
    let read: { text: string; truncated: boolean };
    try {
      read = await readCapped(response);
    } catch (error) {
      this.networkFailuresInARow += 1;
      throw new Error(`${method} ${url.href}: the body did not arrive (${networkCause(error)})`);
    }
    this.networkFailuresInARow = 0;
    const answer: HttpAnswer = {
      status: response.status,
      headers: response.headers,
      text: read.text,
      json: read.truncated ? undefined : parseJson(read.text, response.headers.get('content-type')),
      truncated: read.truncated,
    };
    return { sent: describeSent(method, url, headers, body), received: describeReceived(answer), answer };
  }
}
