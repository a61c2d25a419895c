import { describe, expect, it } from 'vitest';
import { renderConsentPage, renderErrorPage, renderLoginPage } from '../src/oauth/pages.js';

const HOSTILE_NAME = '<script>alert(1)</script>';

function loginPage(overrides: Partial<Parameters<typeof renderLoginPage>[0]> = {}): string {
  return renderLoginPage({
    clientName: 'Claude',
    redirectTarget: 'claude.ai',
    returnTo: '/oauth/authorize?client_id=abc&state=xyz',
    csrfToken: 'csrf-login-token',
    ...overrides,
  });
}

function consentPage(overrides: Partial<Parameters<typeof renderConsentPage>[0]> = {}): string {
  return renderConsentPage({
    clientName: 'Claude',
    redirectTarget: 'claude.ai',
    userEmail: 'ada@example.com',
    scopes: [
      { name: 'mcp:read', description: 'Read your notes', checked: true },
      { name: 'mcp:write', description: 'Create notes', checked: true },
    ],
    hidden: {
      client_id: 'abc',
      redirect_uri: 'https://claude.ai/api/mcp/auth_callback',
      state: 'xyz',
    },
    csrfToken: 'csrf-consent-token',
    ...overrides,
  });
}

/** The opening tag of the first element matching `pattern`, e.g. `<input[^>]*name="email"`. */
function tag(html: string, pattern: string): string {
  const match = new RegExp(`${pattern}[^>]*>`).exec(html);
  if (!match) throw new Error(`no tag matching ${pattern}`);
  return match[0];
}

describe('every page', () => {
  const pages = {
    login: loginPage(),
    consent: consentPage(),
    error: renderErrorPage({ title: 'Unknown client', message: 'No such client_id.', status: 400 }),
  };

  for (const [name, html] of Object.entries(pages)) {
    it(`${name}: consent-referrer meta, viewport, lang and title`, () => {
      const head = html.slice(0, html.indexOf('</head>'));
      expect(head).toContain('<meta name="referrer" content="same-origin">');
      expect(head).toContain(
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
      );
      expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
      expect(head).toMatch(/<title>[^<]+<\/title>/);
    });

    it(`${name}: needs nothing outside the document (no scripts, no external URLs)`, () => {
      expect(html).not.toMatch(/<script|<link|src=|url\(|@import/i);
      expect(html).not.toMatch(/https?:\/\/(?!claude\.ai\/api\/mcp\/auth_callback)/);
    });
  }
});

describe('renderLoginPage', () => {
  it('posts email, password, csrf_token and return_to to /oauth/login', () => {
    const html = loginPage();
    expect(html).toContain('<form method="post" action="/oauth/login">');
    const email = tag(html, '<input[^>]*name="email"');
    expect(email).toContain('type="email"');
    expect(email).toContain('autocomplete="username"');
    const password = tag(html, '<input[^>]*name="password"');
    expect(password).toContain('type="password"');
    expect(password).toContain('autocomplete="current-password"');
    expect(html).toContain('<input type="hidden" name="csrf_token" value="csrf-login-token">');
    expect(html).toContain(
      '<input type="hidden" name="return_to" value="/oauth/authorize?client_id=abc&amp;state=xyz">',
    );
    expect(html).toMatch(/<button type="submit">Sign in<\/button>/);
    expect(html).toContain('<label for="email">');
    expect(html).toContain('<label for="password">');
  });

  it('names the asking app and where it will redirect', () => {
    const html = loginPage({
      clientName: 'Cursor',
      redirectTarget: 'cursor://anysphere.cursor-mcp/oauth/callback',
    });
    expect(html).toContain('<strong>Cursor</strong>');
    expect(html).toContain(
      '<span class="host">cursor://anysphere.cursor-mcp/oauth/callback</span>',
    );
  });

  it('shows no alert without an error', () => {
    expect(loginPage()).not.toContain('role="alert"');
  });

  it('shows the error as an alert and keeps the typed email', () => {
    const html = loginPage({ email: 'ada@example.com', error: 'Wrong email or password.' });
    expect(html).toContain('<p class="alert" role="alert">Wrong email or password.</p>');
    expect(tag(html, '<input[^>]*name="email"')).toContain('value="ada@example.com"');
    expect(tag(html, '<input[^>]*name="password"')).toContain('autofocus');
  });

  it('escapes the client name, the email, the error and the hidden values', () => {
    const html = loginPage({
      clientName: HOSTILE_NAME,
      redirectTarget: '"><img>',
      email: '"onfocus="x',
      error: '<b>bad</b>',
      returnTo: '/oauth/authorize?a="1"&b=\'2\'',
      csrfToken: '"><script>',
    });
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('value="&quot;onfocus=&quot;x"');
    expect(html).toContain('value="/oauth/authorize?a=&quot;1&quot;&amp;b=&#39;2&#39;"');
    expect(html).toContain(
      '<title>Sign in to continue to &lt;script&gt;alert(1)&lt;/script&gt;</title>',
    );
  });
});

describe('renderConsentPage', () => {
  it('posts to /oauth/authorize with every hidden parameter and the CSRF token', () => {
    const html = consentPage();
    expect(html).toContain('<form method="post" action="/oauth/authorize">');
    expect(html).toContain('<input type="hidden" name="csrf_token" value="csrf-consent-token">');
    expect(html).toContain('<input type="hidden" name="client_id" value="abc">');
    expect(html).toContain(
      '<input type="hidden" name="redirect_uri" value="https://claude.ai/api/mcp/auth_callback">',
    );
    expect(html).toContain('<input type="hidden" name="state" value="xyz">');
    expect(html.match(/type="hidden"/g)).toHaveLength(4);
  });

  it('has Allow and Deny submit buttons carrying the decision', () => {
    const html = consentPage();
    expect(html).toMatch(
      /<button type="submit" name="decision" value="approve"[^>]*>Allow<\/button>/,
    );
    expect(html).toMatch(/<button type="submit" name="decision" value="deny"[^>]*>Deny<\/button>/);
  });

  it('offers one labelled checkbox per scope, checked as asked', () => {
    const html = consentPage({
      scopes: [
        { name: 'mcp:read', description: 'Read your notes', checked: true },
        { name: 'mcp:write', description: 'Create notes', checked: false },
        { name: 'offline_access', description: 'Stay connected', checked: true },
      ],
    });
    const boxes = html.match(/<input type="checkbox"[^>]*>/g) ?? [];
    expect(boxes).toHaveLength(3);
    const byScope = new Map(boxes.map((box) => [/value="([^"]*)"/.exec(box)?.[1], box]));
    expect(byScope.get('mcp:read')).toMatch(/ checked>$/);
    expect(byScope.get('mcp:write')).not.toContain('checked');
    expect(byScope.get('offline_access')).toMatch(/ checked>$/);
    for (const box of boxes) {
      expect(box).toContain('name="scope"');
      const id = /id="([^"]+)"/.exec(box)?.[1];
      expect(html).toContain(`<label class="scope" for="${id}">`);
    }
    expect(html).toContain(
      '<code>mcp:write</code><span class="scope-description">Create notes</span>',
    );
  });

  it('names the app, the redirect host and the signed-in user', () => {
    const html = consentPage();
    expect(html).toContain('<h1>Claude wants to access your account</h1>');
    expect(html).toContain('You will be sent to <span class="host">claude.ai</span>');
    expect(html).toContain('Signed in as <strong>ada@example.com</strong>');
  });

  it('rule consent-identity: a name the app registered itself (DCR) is marked unverified', () => {
    const html = consentPage();
    expect(html).toContain('<span class="badge">Unverified</span>');
    expect(html).toContain('nobody has checked it');
  });

  it('rule consent-identity: a metadata-document client shows the host that publishes it, not "unverified"', () => {
    const html = consentPage({ clientMetadataHost: 'claude.ai' });
    expect(html).toContain('published by <span class="host">claude.ai</span>');
    expect(html).not.toContain('Unverified');
  });

  it('escapes the client name, scope text and hidden values with quotes', () => {
    const html = consentPage({
      clientName: HOSTILE_NAME,
      userEmail: '<i>@example.com',
      clientMetadataHost: '<b>host</b>',
      scopes: [{ name: 'a"b', description: '<u>x</u>', checked: true }],
      hidden: { state: 'x" autofocus onfocus="alert(1)', 'we"ird': "it's" },
    });
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<i>');
    expect(html).not.toContain('<u>');
    expect(html).not.toContain('<b>');
    expect(html).toContain(
      '<h1>&lt;script&gt;alert(1)&lt;/script&gt; wants to access your account</h1>',
    );
    expect(html).toContain(
      '<input type="hidden" name="state" value="x&quot; autofocus onfocus=&quot;alert(1)">',
    );
    expect(html).toContain('<input type="hidden" name="we&quot;ird" value="it&#39;s">');
    expect(html).toContain('value="a&quot;b"');
  });
});

describe('renderErrorPage', () => {
  it('shows the status, title and message, escaped, and no form', () => {
    const html = renderErrorPage({
      title: 'Invalid <redirect_uri>',
      message: 'Ask "the app" again.',
      status: 400,
    });
    expect(html).toContain('<h1>Invalid &lt;redirect_uri&gt;</h1>');
    expect(html).toContain('Ask &quot;the app&quot; again.');
    expect(html).toContain('Error 400');
    expect(html).not.toContain('<form');
    expect(html).not.toContain('<input');
    expect(html).not.toContain('<a ');
  });

  it('offers a link back to the app, escaped, that the user follows or not', () => {
    const html = renderErrorPage({
      title: 'This request cannot be completed',
      message: 'PKCE is required.',
      status: 400,
      link: {
        href: 'https://app.example/cb?error=invalid_request&state="x"',
        target: 'app.example',
      },
    });
    expect(html).toContain(
      '<a class="return" href="https://app.example/cb?error=invalid_request&amp;state=&quot;x&quot;">Return to <span class="host">app.example</span></a>',
    );
    expect(html).not.toContain('http-equiv');
  });
});
