import { shellQuote, formatCommand, installCommand, scriptCommand } from './package-manager.js';
import type { Storage } from './options.js';
import type { RenderedFile } from './render/render.js';
import type { CreatePlan } from './resolve-plan.js';

/** The generated server's defaults (PORT 3000, PUBLIC_URL http://localhost:$PORT) plus the MCP path. */
export const DEFAULT_MCP_URL = 'http://localhost:3000/mcp';

/** Storages that need a server of their own, and the .env line to point at it. */
const SERVER_SETTING: Partial<Record<Storage, string>> = {
  postgres: 'DATABASE_URL in .env must name your PostgreSQL database',
  redis: 'REDIS_URL in .env must name your Redis server',
};

function scriptsOf(files: readonly RenderedFile[]): Record<string, string> {
  const pkg = files.find((file) => file.path === 'package.json');
  if (!pkg) return {};
  return (JSON.parse(pkg.contents) as { scripts?: Record<string, string> }).scripts ?? {};
}

/** What to type after create, read from the generated package.json so it stays true when templates change. */
export function nextSteps(plan: CreatePlan, files: readonly RenderedFile[]): string {
  const pm = plan.packageManager;
  const scripts = scriptsOf(files);
  const lines: string[] = [];
  if (plan.displayDir !== '.') lines.push(`cd ${shellQuote(plan.displayDir)}`);
  if (!plan.install) lines.push(formatCommand(installCommand(pm)));
  const setting = SERVER_SETTING[plan.answers.storage];
  if (setting) lines.push(`# ${setting}`);
  // a user:add that runs compiled code needs a build first
  if (scripts['user:add']?.includes('dist/') && scripts.build) lines.push(formatCommand(scriptCommand(pm, 'build')));
  if (scripts['user:add']) {
    lines.push(
      `${formatCommand(scriptCommand(pm, 'user:add', ['you@example.com']))}   # create an account (asks for the password)`,
    );
  }
  if (scripts.dev) lines.push(`${formatCommand(scriptCommand(pm, 'dev'))}   # serves ${DEFAULT_MCP_URL}`);
  lines.push('');
  lines.push(`Connect Claude, ChatGPT, Cursor or VS Code to ${DEFAULT_MCP_URL}`);
  lines.push('(README.md explains each client, deployment and PUBLIC_URL; settings live in .env)');
  return lines.join('\n');
}
