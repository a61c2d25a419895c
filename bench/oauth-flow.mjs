/**
 * Drives a generated server's OAuth flow over plain HTTP, the way a client plus a user at a browser would:
 * DCR, GET /authorize (login page), POST /oauth/login, the consent page, POST /authorize, code exchange.
 */
import { createHash, randomBytes } from 'node:crypto';

const REDIRECT_URI = 'http://127.0.0.1/callback';

function formBody(entries) {
  const body = new URLSearchParams();
  for (const [name, value] of entries) body.append(name, value);
  return body.toString();
}

function attributes(tag) {
  const result = new Map();
  for (const match of tag.matchAll(/([a-zA-Z_:][\w:.-]*)(?:\s*=\s*"([^"]*)")?/g)) {
    result.set(
      match[1].toLowerCase(),
      (match[2] ?? '').replaceAll('&amp;', '&').replaceAll('&quot;', '"'),
    );
  }
  return result;
}

/** The fields a browser would submit for the form posting to `action`; checkboxes as the page checked them. */
function formFields(html, action, values, button) {
  const form = [...html.matchAll(/<form\b[^>]*>([\s\S]*?)<\/form>/gi)].find(
    (match) => attributes(/<form\b[^>]*>/i.exec(match[0])[0]).get('action') === action,
  );
  if (!form) throw new Error(`no form posting to ${action} on the page:\n${html.slice(0, 300)}`);
  const fields = [];
  for (const tag of form[1].matchAll(/<input\b[^>]*>/gi)) {
    const attrs = attributes(tag[0]);
    const name = attrs.get('name');
    if (!name) continue;
    const type = attrs.get('type') ?? 'text';
    if (type === 'checkbox' && !attrs.has('checked')) continue;
    fields.push([name, values[name] ?? attrs.get('value') ?? '']);
  }
  if (button) fields.push(button);
  return fields;
}

class Browser {
  cookies = new Map();

  constructor(baseUrl) {
    this.baseUrl = baseUrl;
    this.origin = new URL(baseUrl).origin;
  }

  remember(response) {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const [name, value] = pair.split('=');
      if (/max-age=0/i.test(cookie)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(pathOrUrl, init = {}) {
    const url = new URL(pathOrUrl, this.baseUrl);
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, {
      redirect: 'manual',
      ...init,
      headers: { cookie, ...init.headers },
    });
    this.remember(response);
    return response;
  }

  post(path, fields) {
    return this.request(path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: this.origin,
      },
      body: formBody(fields),
    });
  }
}

export async function registerClient(baseUrl) {
  const response = await fetch(`${baseUrl}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(clientMetadata()),
  });
  if (response.status !== 201)
    throw new Error(`DCR answered ${response.status}: ${await response.text()}`);
  return response.json();
}

export function clientMetadata() {
  return {
    client_name: 'bench',
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  };
}

/** A signed-in browser session, able to approve any number of authorizations for one client. */
export async function signIn(baseUrl, account) {
  const client = await registerClient(baseUrl);
  const browser = new Browser(baseUrl);
  return { client, browser, account, resource: `${baseUrl}/mcp` };
}

/** One authorization code flow; returns { access_token, refresh_token, ... }. */
export async function authorize({ client, browser, account, resource }) {
  const verifier = randomBytes(48).toString('base64url');
  const params = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: randomBytes(8).toString('base64url'),
    resource,
  });
  let page = await browser.request(`/oauth/authorize?${params}`);
  let html = await page.text();
  if (html.includes('action="/oauth/login"')) {
    const fields = formFields(html, '/oauth/login', account);
    const login = await browser.post('/oauth/login', fields);
    if (login.status !== 302)
      throw new Error(`login answered ${login.status}: ${(await login.text()).slice(0, 300)}`);
    page = await browser.request(login.headers.get('location'));
    html = await page.text();
  }
  const consent = await browser.post(
    '/oauth/authorize',
    formFields(html, '/oauth/authorize', {}, ['decision', 'approve']),
  );
  const location = consent.headers.get('location');
  const code = location && new URL(location).searchParams.get('code');
  if (!code)
    throw new Error(
      `consent answered ${consent.status} ${location ?? (await consent.text()).slice(0, 300)}`,
    );
  const token = await fetch(`${browser.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: formBody([
      ['grant_type', 'authorization_code'],
      ['client_id', client.client_id],
      ['code', code],
      ['code_verifier', verifier],
      ['redirect_uri', REDIRECT_URI],
      ['resource', resource],
    ]),
  });
  const json = await token.json();
  if (token.status !== 200)
    throw new Error(`code exchange answered ${token.status}: ${JSON.stringify(json)}`);
  return json;
}
