import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLAUDE_CODE_DOCUMENT,
  documentClient,
  startProfileServer,
  type ProfileServer,
} from '../helpers/client-profiles.js';
import { authorizeParams, Browser, registerPublicClient } from '../helpers/oauth.js';

/** The text of the page without tags, whitespace collapsed. */
function text(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');
}

describe('rule consent-identity: the consent page says who is asking and where the user will be sent', () => {
  let server: ProfileServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startProfileServer([CLAUDE_CODE_DOCUMENT]);
    browser = new Browser(server);
  });
  afterAll(() => server.close());

  it('rule consent-identity: a self-registered (DCR) app is named as registered and marked unverified', async () => {
    const client = await registerPublicClient(server.url, ['https://notes.example.com/cb'], {
      client_name: 'Claude',
    });
    const page = await browser.openConsent(
      authorizeParams(client.client_id, 'https://notes.example.com/cb'),
    );
    expect(page.html).toContain('<h1>Claude wants to access your account</h1>');
    expect(page.html).toContain('<span class="badge">Unverified</span>');
    expect(text(page.html)).toContain('You will be sent to notes.example.com');
  });

  it('rule consent-identity: a private-use redirect is shown in full (vscode://github.com/callback is not github.com)', async () => {
    const redirect = 'vscode://github.com/callback';
    const client = await registerPublicClient(server.url, [redirect], {
      client_name: 'Visual Studio Code',
    });
    const page = await browser.openConsent(authorizeParams(client.client_id, redirect));
    expect(text(page.html)).toContain(`You will be sent to ${redirect}`);
    expect(page.html).not.toContain('<span class="host">github.com</span>');
  });

  it('rule consent-identity: a metadata-document (CIMD) client shows the host of its client_id, not "unverified"', async () => {
    const redirect = 'http://localhost:52817/callback';
    const client = documentClient(CLAUDE_CODE_DOCUMENT, redirect);
    const page = await browser.openConsent(authorizeParams(client.client_id, redirect));
    expect(page.html).toContain('<h1>Claude Code wants to access your account</h1>');
    expect(text(page.html)).toContain('published by claude.ai');
    expect(page.html).not.toContain('Unverified');
  });
});
