/**
 * What each real client sends (shared/reference/server-behaviour.md §4), as data. `browserOrigin` is the page
 * a browser-based client runs in (CORS applies); CLI and desktop clients have none. Registration payloads are
 * the clients' own, except the name: every client the checker registers is called CHECK_CLIENT_NAME.
 */
import { CliError } from '../errors.js';

export const CHECK_CLIENT_NAME = 'create-mcp-oauth-server check';

export type ProfileId = 'claude' | 'chatgpt' | 'cursor' | 'vscode' | 'claude-code' | 'codex' | 'gemini';

export interface ClientProfile {
  id: ProfileId;
  name: string;
  browserOrigin?: string;
  /** The well-known PRM paths in the order the client tries them. */
  prmOrder: ('suffixed' | 'root')[];
  /** DCR body without client_name; `supportedGrants` is the AS metadata's grant_types_supported. */
  registration(supportedGrants: readonly string[]): Record<string, unknown>;
  /** A redirect the client uses at /authorize that differs from the registered one only by port, if any. */
  loopbackRedirectOtherPort?: string;
  /** The client adds offline_access and made-up scopes to what it asks for. */
  extraScopes?: string[];
  /** The client sends `resource` the way it does (repeated, trailing slash). */
  resourceForm?: 'repeated' | 'trailing-slash';
  /** The client needs PRM `resource` to equal the URL it was configured with, byte for byte. */
  strictResource: boolean;
}

const CODE_AND_REFRESH = ['authorization_code', 'refresh_token'];

export const PROFILES: readonly ClientProfile[] = [
  {
    id: 'claude',
    name: 'claude.ai / Claude Desktop',
    browserOrigin: 'https://claude.ai',
    prmOrder: ['suffixed', 'root'],
    registration: () => ({
      redirect_uris: ['https://claude.ai/api/mcp/auth_callback', 'https://claude.com/api/mcp/auth_callback'],
      grant_types: CODE_AND_REFRESH,
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    }),
    extraScopes: ['offline_access', 'claude:made-up'],
    resourceForm: 'repeated',
    strictResource: false,
  },
  {
    id: 'chatgpt',
    name: 'ChatGPT',
    browserOrigin: 'https://chatgpt.com',
    prmOrder: ['suffixed', 'root'],
    registration: () => ({
      redirect_uris: [
        'https://chatgpt.com/connector/oauth/check-callback',
        'https://chatgpt.com/connector_platform_oauth_redirect',
      ],
      grant_types: CODE_AND_REFRESH,
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    }),
    strictResource: false,
  },
  {
    id: 'cursor',
    name: 'Cursor',
    prmOrder: ['root', 'suffixed'],
    registration: () => ({
      redirect_uris: [
        'cursor://anysphere.cursor-mcp/oauth/callback',
        'https://www.cursor.com/agents/mcp/oauth/callback',
        'http://localhost:8787/callback',
      ],
      grant_types: CODE_AND_REFRESH,
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    }),
    strictResource: false,
  },
  {
    id: 'vscode',
    name: 'VS Code',
    browserOrigin: 'https://vscode.dev',
    prmOrder: ['suffixed', 'root'],
    registration: (supportedGrants) => ({
      redirect_uris: [
        'https://insiders.vscode.dev/redirect',
        'https://vscode.dev/redirect',
        'http://127.0.0.1/',
        'http://127.0.0.1:33418/',
      ],
      grant_types: ['authorization_code', 'refresh_token', 'device_code'].filter((grant) =>
        supportedGrants.includes(grant),
      ),
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
    }),
    loopbackRedirectOtherPort: 'http://127.0.0.1:54127/',
    strictResource: true,
  },
  {
    id: 'claude-code',
    name: 'Claude Code',
    prmOrder: ['suffixed', 'root'],
    registration: () => ({
      redirect_uris: ['http://localhost:41337/callback'],
      grant_types: CODE_AND_REFRESH,
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    }),
    loopbackRedirectOtherPort: 'http://localhost:52011/callback',
    extraScopes: ['offline_access'],
    resourceForm: 'trailing-slash',
    strictResource: false,
  },
  {
    id: 'codex',
    name: 'Codex',
    prmOrder: ['suffixed', 'root'],
    registration: () => ({
      redirect_uris: ['http://127.0.0.1:1455/callback/check'],
      grant_types: CODE_AND_REFRESH,
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    }),
    loopbackRedirectOtherPort: 'http://127.0.0.1:61455/callback/check',
    strictResource: true,
  },
  {
    id: 'gemini',
    name: 'Gemini CLI',
    prmOrder: ['root', 'suffixed'],
    registration: () => ({
      redirect_uris: ['http://localhost:7777/oauth/callback'],
      grant_types: CODE_AND_REFRESH,
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    }),
    loopbackRedirectOtherPort: 'http://localhost:47777/oauth/callback',
    strictResource: true,
  },
];

export const PROFILE_IDS: readonly ProfileId[] = PROFILES.map((profile) => profile.id);

/** `--as claude,cursor` → those profiles; unknown names are an error the command reports. */
export function selectProfiles(names: readonly string[] | undefined): ClientProfile[] {
  if (!names || names.length === 0) return [...PROFILES];
  const unknown = names.filter((name) => !PROFILE_IDS.includes(name as ProfileId));
  if (unknown.length > 0) {
    throw new CliError(`unknown client profile ${unknown.join(', ')} (choose from ${PROFILE_IDS.join(', ')})`);
  }
  return PROFILES.filter((profile) => names.includes(profile.id));
}
