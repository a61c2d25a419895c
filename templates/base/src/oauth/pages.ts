/**
 * The HTML pages of the authorization server: login, consent and error.
 *
 * Plain server-rendered HTML with one inline stylesheet and no scripts, so the strict CSP the core sends
 * (`default-src 'none'; style-src 'unsafe-inline'`) needs no exceptions. These functions only build markup;
 * headers (CSP, Referrer-Policy, X-Frame-Options) are the caller's job. Every interpolated value goes
 * through escapeHtml.
 */

export interface ScopeChoice {
  name: string;
  description: string;
  checked: boolean;
}

export interface LoginPageInput {
  clientName: string;
  /** Where the user will be sent: a host, or a private-use redirect in full (see redirectTarget). */
  redirectTarget: string;
  returnTo: string;
  csrfToken: string;
  email?: string;
  error?: string;
}

export interface ConsentPageInput {
  /** The name the app registered or published. */
  clientName: string;
  /**
   * The host of the app's Client ID Metadata Document, which vouches for the name; undefined for an
   * app that registered itself (DCR), whose name nobody has verified.
   */
  clientMetadataHost?: string;
  /** Where the user will be sent: a host, or a private-use redirect in full (see redirectTarget). */
  redirectTarget: string;
  userEmail: string;
  scopes: ScopeChoice[];
  /** Authorization request parameters carried through the form, one hidden input each. */
  hidden: Record<string, string>;
  csrfToken: string;
}

/** A link back to the app, for the user to follow. */
export interface ReturnLink {
  href: string;
  /** What the user is told the link leads to: a host, or a private-use redirect in full. */
  target: string;
}

export interface ErrorPageInput {
  title: string;
  message: string;
  status: number;
  link?: ReturnLink;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for element content and for double- or single-quoted attribute values. */
function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

const PAGE_STYLE = `
:root {
  color-scheme: light dark;
  --bg: #f3f4f6;
  --card: #ffffff;
  --text: #111827;
  --muted: #4b5563;
  --border: #d1d5db;
  --field: #ffffff;
  --accent: #1d4ed8;
  --accent-hover: #1e40af;
  --accent-text: #ffffff;
  --focus: #2563eb;
  --chip: #eef2ff;
  --chip-text: #1e3a8a;
  --danger-bg: #fef2f2;
  --danger-border: #fca5a5;
  --danger-text: #991b1b;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0b0f17;
    --card: #161b26;
    --text: #f3f4f6;
    --muted: #a1a9b8;
    --border: #343b4a;
    --field: #0f141d;
    --accent: #3b82f6;
    --accent-hover: #60a5fa;
    --accent-text: #0b0f17;
    --focus: #93c5fd;
    --chip: #1e293b;
    --chip-text: #bfdbfe;
    --danger-bg: #2a1214;
    --danger-border: #7f1d1d;
    --danger-text: #fecaca;
  }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0;
  min-height: 100vh;
  display: flex;
  align-items: center;
  justify-content: center;
  padding: 24px 16px;
  background: var(--bg);
  color: var(--text);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 16px;
  line-height: 1.5;
}
main {
  width: 100%;
  max-width: 420px;
  background: var(--card);
  border: 1px solid var(--border);
  border-radius: 14px;
  padding: 32px 28px;
  box-shadow: 0 1px 2px rgb(0 0 0 / 0.04), 0 8px 24px rgb(0 0 0 / 0.06);
}
.mark {
  display: flex;
  width: 44px;
  height: 44px;
  align-items: center;
  justify-content: center;
  margin-bottom: 18px;
  border-radius: 12px;
  background: var(--chip);
  color: var(--chip-text);
}
.mark.danger { background: var(--danger-bg); color: var(--danger-text); }
main > :last-child { margin-bottom: 0; }
h1 {
  margin: 0 0 8px;
  font-size: 1.375rem;
  line-height: 1.3;
  font-weight: 650;
  overflow-wrap: anywhere;
}
p { margin: 0 0 16px; }
.lead { color: var(--muted); }
.lead strong { color: var(--text); }
strong { font-weight: 600; overflow-wrap: anywhere; }
.host {
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: 0.9em;
  padding: 1px 6px;
  border-radius: 6px;
  background: var(--chip);
  color: var(--chip-text);
  /* moves to the next line whole instead of splitting at a hyphen; only a host wider than the card breaks */
  display: inline-block;
  max-width: 100%;
  overflow-wrap: anywhere;
}
.account {
  margin: 0 0 20px;
  padding: 10px 12px;
  border: 1px solid var(--border);
  border-radius: 10px;
  color: var(--muted);
  font-size: 0.9375rem;
}
.account strong { color: var(--text); }
.alert {
  margin: 0 0 16px;
  padding: 10px 12px;
  border: 1px solid var(--danger-border);
  border-radius: 10px;
  background: var(--danger-bg);
  color: var(--danger-text);
  font-size: 0.9375rem;
}
form { margin: 0; }
.field { margin-bottom: 16px; }
.field label {
  display: block;
  margin-bottom: 6px;
  font-weight: 600;
  font-size: 0.9375rem;
}
input[type="email"], input[type="password"] {
  width: 100%;
  padding: 10px 12px;
  border: 1px solid var(--border);
  border-radius: 8px;
  background: var(--field);
  color: var(--text);
  font: inherit;
}
fieldset { margin: 0 0 20px; padding: 0; border: 0; }
legend { padding: 0; margin-bottom: 10px; font-weight: 600; font-size: 0.9375rem; }
.scopes { list-style: none; margin: 0; padding: 0; border: 1px solid var(--border); border-radius: 10px; }
.scopes li + li { border-top: 1px solid var(--border); }
.scope { display: flex; gap: 12px; align-items: flex-start; padding: 12px; cursor: pointer; }
.scope input { flex: none; width: 18px; height: 18px; margin: 3px 0 0; accent-color: var(--accent); }
.scope code {
  display: block;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: 0.875rem;
  font-weight: 600;
  overflow-wrap: anywhere;
}
.scope-text { min-width: 0; }
.scope-description { display: block; color: var(--muted); font-size: 0.875rem; }
.redirect { color: var(--muted); font-size: 0.9375rem; }
.identity { margin: 0 0 16px; color: var(--muted); font-size: 0.9375rem; }
.badge {
  display: inline-block;
  margin-right: 4px;
  padding: 0 8px;
  border: 1px solid var(--danger-border);
  border-radius: 999px;
  background: var(--danger-bg);
  color: var(--danger-text);
  font-size: 0.8125rem;
  font-weight: 600;
}
.return {
  display: block;
  padding: 10px 16px;
  border: 1px solid var(--border);
  border-radius: 8px;
  color: var(--text);
  font-weight: 600;
  text-align: center;
  text-decoration: none;
  overflow-wrap: anywhere;
}
.return:hover { background: var(--bg); }
.actions { display: flex; gap: 12px; }
button {
  flex: 1;
  width: 100%;
  min-height: 44px;
  padding: 10px 16px;
  border: 1px solid var(--accent);
  border-radius: 8px;
  background: var(--accent);
  color: var(--accent-text);
  font: inherit;
  font-weight: 600;
  cursor: pointer;
}
button:hover { background: var(--accent-hover); border-color: var(--accent-hover); }
button.secondary { background: transparent; color: var(--text); border-color: var(--border); }
button.secondary:hover { background: var(--bg); border-color: var(--border); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
input[type="email"]:focus-visible, input[type="password"]:focus-visible { outline-offset: 0; border-color: var(--focus); }
.status { margin: 0 0 6px; color: var(--muted); font-size: 0.875rem; font-weight: 600; letter-spacing: 0.02em; }
@media (max-width: 400px) {
  body { padding: 12px; align-items: flex-start; }
  main { padding: 24px 18px; border-radius: 12px; }
}
`;

const SHIELD_ICON = `<svg width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false"><path d="M12 3l7 3v5c0 4.5-3 8.3-7 10-4-1.7-7-5.5-7-10V6z"/><path d="M9 12l2 2 4-4"/></svg>`;

const ALERT_ICON = `<svg width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false"><circle cx="12" cy="12" r="9"/><path d="M12 7v6"/><path d="M12 16.5v.5"/></svg>`;

function renderDocument(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function hiddenInput(name: string, value: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}

export function renderLoginPage(input: LoginPageInput): string {
  const clientName = escapeHtml(input.clientName);
  const error = input.error ? `<p class="alert" role="alert">${escapeHtml(input.error)}</p>\n` : '';
  // Focus the first field that still needs typing: the password after a failed attempt.
  const emailFocus = input.email ? '' : ' autofocus';
  const passwordFocus = input.email ? ' autofocus' : '';
  return renderDocument(
    `Sign in to continue to ${input.clientName}`,
    `<div class="mark">${SHIELD_ICON}</div>
<h1>Sign in</h1>
<p class="lead"><strong>${clientName}</strong> is asking to connect to your account. After you sign in you will be sent to <span class="host">${escapeHtml(input.redirectTarget)}</span>.</p>
${error}<form method="post" action="/oauth/login">
${hiddenInput('csrf_token', input.csrfToken)}
${hiddenInput('return_to', input.returnTo)}
<div class="field">
<label for="email">Email</label>
<input type="email" id="email" name="email" autocomplete="username" required value="${escapeHtml(input.email ?? '')}"${emailFocus}>
</div>
<div class="field">
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required${passwordFocus}>
</div>
<button type="submit">Sign in</button>
</form>`,
  );
}

function renderScopeChoice(scope: ScopeChoice, index: number): string {
  const id = `scope-${index}`;
  const checked = scope.checked ? ' checked' : '';
  return `<li><label class="scope" for="${id}"><input type="checkbox" name="scope" value="${escapeHtml(scope.name)}" id="${id}"${checked}><span class="scope-text"><code>${escapeHtml(scope.name)}</code><span class="scope-description">${escapeHtml(scope.description)}</span></span></label></li>`;
}

/** Who vouches for the app's name: the host of its metadata document, or nobody (rule consent-identity). */
function renderClientIdentity(metadataHost: string | undefined): string {
  if (metadataHost !== undefined) {
    return `<p class="identity">Its name and details are published by <span class="host">${escapeHtml(metadataHost)}</span>.</p>`;
  }
  return '<p class="identity"><span class="badge">Unverified</span> The app chose this name itself when it registered; nobody has checked it.</p>';
}

export function renderConsentPage(input: ConsentPageInput): string {
  const clientName = escapeHtml(input.clientName);
  const hidden = Object.entries(input.hidden).map(([name, value]) => hiddenInput(name, value));
  const scopes = input.scopes.map(renderScopeChoice);
  // Deny comes first in the markup so that pressing Enter never grants access by accident.
  return renderDocument(
    `Allow ${input.clientName} to access your account?`,
    `<div class="mark">${SHIELD_ICON}</div>
<h1>${clientName} wants to access your account</h1>
${renderClientIdentity(input.clientMetadataHost)}
<p class="account">Signed in as <strong>${escapeHtml(input.userEmail)}</strong></p>
<form method="post" action="/oauth/authorize">
${hiddenInput('csrf_token', input.csrfToken)}
${hidden.join('\n')}
<fieldset>
<legend>It will be able to:</legend>
<ul class="scopes">
${scopes.join('\n')}
</ul>
</fieldset>
<p class="redirect">You will be sent to <span class="host">${escapeHtml(input.redirectTarget)}</span>. Allow only if you trust this app.</p>
<div class="actions">
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
<button type="submit" name="decision" value="approve">Allow</button>
</div>
</form>`,
  );
}

/** A plain link the user chooses to follow: never an automatic redirect (RFC 9700 §4.11.2). */
function renderReturnLink(link: ReturnLink): string {
  return `<p><a class="return" href="${escapeHtml(link.href)}">Return to <span class="host">${escapeHtml(link.target)}</span></a></p>`;
}

export function renderErrorPage(input: ErrorPageInput): string {
  const link = input.link ? `\n${renderReturnLink(input.link)}` : '';
  return renderDocument(
    input.title,
    `<div class="mark danger">${ALERT_ICON}</div>
<p class="status">Error ${escapeHtml(String(input.status))}</p>
<h1>${escapeHtml(input.title)}</h1>
<p class="lead">${escapeHtml(input.message)}</p>${link}`,
  );
}
