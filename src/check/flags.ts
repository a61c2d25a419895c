/** The `check <url>` flags and help. Light on purpose: cli.ts imports it at start; the checker loads on use. */
import type { Argv } from 'yargs';
import { PROFILE_IDS } from './profiles.js';

export interface CheckFlags {
  url: string;
  as?: string | string[];
  json?: boolean;
  login?: boolean;
  open?: boolean;
  loginAs?: string;
  timeout?: number;
  loginTimeout?: number;
  verbose?: boolean;
}

export function checkOptions(y: Argv) {
  return y
    .positional('url', { type: 'string', demandOption: true, describe: 'The MCP endpoint, e.g. https://mcp.example.com/mcp' })
    .option('as', {
      type: 'string',
      describe: `Comma-separated client profiles to replay: ${PROFILE_IDS.join(', ')}`,
      defaultDescription: 'all',
    })
    .option('login', {
      type: 'boolean',
      describe: 'Also sign in like a CLI client (loopback redirect) and check tokens, /mcp, refresh and revocation',
    })
    .option('open', {
      type: 'boolean',
      describe: 'With --login, open the system browser; --no-open prints the URL only',
      defaultDescription: 'true',
    })
    .option('login-as', {
      type: 'string',
      describe: "With --login, fill in the server's own login and consent forms as EMAIL (password from CHECK_PASSWORD), no browser",
    })
    .option('timeout', { type: 'number', describe: 'Seconds to wait for each answer', defaultDescription: '10' })
    .option('login-timeout', { type: 'number', describe: 'Seconds to wait for the browser sign-in', defaultDescription: '300' })
    .option('json', { type: 'boolean', describe: 'Print the report as JSON on stdout (for CI; progress goes to stderr)' })
    .option('verbose', { type: 'boolean', describe: 'Also show the detail of passing checks' })
    .example('$0 check https://mcp.example.com/mcp', 'everything a client sees before anyone signs in')
    .example('$0 check https://mcp.example.com/mcp --login', 'also sign in in the browser and check the whole flow')
    .example('$0 check https://mcp.example.com/mcp --as claude,cursor --json', 'two client profiles, a JSON report')
    .epilogue(
      [
        'Contacts only the origin of <url>, never follows a redirect, and sends a bounded number of requests. Test clients are registered as "create-mcp-oauth-server check" and removed where the server offers RFC 7592 management.',
        'Exit codes: 0 nothing failed (warnings allowed); 1 at least one check failed; 2 the server could not be reached.',
      ].join('\n\n'),
    );
}
