/**
 * One check run: the stages in order, each behind a spinner, results collected even when a stage stops
 * early. Nothing here prints results: the command formats the report.
 */
import type { CheckContext } from './context.js';
import { runAuthorize } from './authorize.js';
import { runCors } from './cors.js';
import { runDiscovery } from './discovery.js';
import { ForeignOriginError, HttpClient, RequestBudgetError, UnreachableError } from './http.js';
import { runLogin } from './login.js';
import type { LoginAgent } from './login-agent.js';
import { runMcp, type McpTool } from './mcp.js';
import { selectProfiles } from './profiles.js';
import { runRefresh } from './refresh.js';
import { removeRegisteredClients, runRegistration } from './registration.js';
import { buildReport, type CheckReport } from './report.js';
import { runToken } from './token.js';
import { runTransport } from './transport.js';
import { CliError } from '../errors.js';
import { GENERATOR_VERSION } from '../version.js';

export interface CheckOptions {
  url: string;
  /** Profile ids; empty = all. */
  as?: string[];
  timeoutMs?: number;
  maxRequests?: number;
  /** --login: who signs in; absent = no login. */
  login?: { agent: LoginAgent; timeoutMs: number };
}

export interface StageProgress {
  start(label: string): { done(summary: string): void; failed(message: string): void };
  log(line: string): void;
}

const silentProgress: StageProgress = { start: () => ({ done() {}, failed() {} }), log() {} };

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_REQUESTS = 300;

/** The MCP URL: absolute http(s), no fragment. Throws a one-line message otherwise. */
export function parseTarget(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`"${raw}" is not a URL (give the MCP endpoint, e.g. https://mcp.example.com/mcp)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new CliError(`"${raw}" is not an http(s) URL`);
  url.hash = '';
  return url;
}

export async function runCheck(options: CheckOptions, progress: StageProgress = silentProgress): Promise<CheckReport> {
  const target = parseTarget(options.url);
  const http = new HttpClient({
    origin: target.origin,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxRequests: options.maxRequests ?? DEFAULT_MAX_REQUESTS,
    userAgent: `create-mcp-oauth-server-check/${GENERATOR_VERSION}`,
  });
  const context: CheckContext = {
    target,
    http,
    profiles: selectProfiles(options.as),
    discovery: { resource: target.href, baselineScopes: [] },
    clients: [],
    results: [],
  };
  let tools: McpTool[] | undefined;
  const stages: [string, () => Promise<void> | void][] = [
    ['transport', () => runTransport(context)],
    ['discovery', () => runDiscovery(context)],
    ['cors', () => runCors(context)],
    ['registration', () => runRegistration(context)],
    ['authorize', () => runAuthorize(context)],
    ['token', () => runToken(context, Boolean(options.login))],
  ];
  if (options.login) {
    const login = options.login;
    stages.push(
      ['login', () => runLogin(context, { agent: login.agent, timeoutMs: login.timeoutMs, log: progress.log })],
      ['mcp', async () => void (tools = await runMcp(context))],
      ['refresh', () => runRefresh(context, tools)],
    );
  }
  let reachable = true;
  let stopped: string | undefined;
  for (const [name, run] of stages) {
    const task = progress.start(name);
    const before = context.results.length;
    try {
      await run();
      const mine = context.results.slice(before);
      const failed = mine.filter((result) => result.status === 'fail').length;
      task.done(`${name}: ${mine.length} checks${failed ? `, ${failed} failed` : ''}`);
    } catch (error) {
      task.failed(`${name}: ${(error as Error).message}`);
      if (error instanceof UnreachableError) {
        reachable = false;
        stopped = `the server could not be reached: ${error.message}`;
        break;
      }
      if (error instanceof RequestBudgetError) {
        stopped = error.message;
        break;
      }
      context.results.push({
        id: 'reachable',
        status: error instanceof ForeignOriginError ? 'not-checkable' : 'fail',
        stage: name,
        title: `the ${name} stage could not finish`,
        detail: (error as Error).message,
      });
    }
  }
  if (reachable) {
    try {
      await removeRegisteredClients(context);
    } catch {
      // cleanup is best effort; the report says which clients stay
    }
  }
  return buildReport({ target: target.href, results: context.results, requests: http.requestsMade, reachable, ...(stopped ? { stopped } : {}) });
}
