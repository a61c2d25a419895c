/**
 * Who plays the user during --login. The system browser (or a printed URL) is the real thing; the form agent
 * signs in and approves over HTTP with the server's own forms, for CI and for the tests. The form agent's
 * requests go through the checker's page fetcher, so consent-302 and the page headers can be checked.
 */
import { execa } from 'execa';
import type { HttpAnswer } from './http.js';
import { parseForms, submission, type HtmlForm } from './html-forms.js';

export interface PageRequest {
  method?: 'GET' | 'POST';
  form?: [string, string][];
  headers?: Record<string, string>;
}

/** Fetches a page on the target origin without following redirects, recorded as login evidence. */
export type PageFetcher = (url: string, request?: PageRequest) => Promise<HttpAnswer>;

export interface LoginAgent {
  /** `observed`: the checker sees every page request (form agent); not so with a real browser. */
  readonly observed: boolean;
  open(authorizationUrl: string, page: PageFetcher, log: (line: string) => void): Promise<void>;
}

function browserCommand(url: string): [string, string[]] {
  if (process.platform === 'darwin') return ['open', [url]];
  if (process.platform === 'win32') return ['cmd', ['/c', 'start', '', url]];
  return ['xdg-open', [url]];
}

/** Opens the system browser (`open` false: prints the URL only); the user signs in and approves. */
export function systemBrowserAgent(open: boolean): LoginAgent {
  return {
    observed: false,
    async open(authorizationUrl, _page, log) {
      log(`Sign in and approve in your browser:\n  ${authorizationUrl}`);
      if (!open) return;
      const [command, args] = browserCommand(authorizationUrl);
      await execa(command, args, { reject: false, stdio: 'ignore', detached: true }).catch(() => undefined);
    },
  };
}

class CookieJar {
  private readonly cookies = new Map<string, string>();

  remember(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const index = pair!.indexOf('=');
      if (index < 0) continue;
      const name = pair!.slice(0, index).trim();
      const expired = attributes.some((attribute) => /^\s*max-age\s*=\s*0\s*$/i.test(attribute));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair!.slice(index + 1).trim());
    }
  }

  header(): Record<string, string> {
    return this.cookies.size === 0 ? {} : { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') };
  }
}

/** The account's email and password, keyed by the names of the fields that ask for them. */
function accountValues(form: HtmlForm, account: { email: string; password: string }): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of form.fields) {
    if (field.type === 'password') values[field.name] = account.password;
    else if (field.type === 'email' || /mail|user|login/i.test(field.name)) values[field.name] = account.email;
  }
  return values;
}

function loginForm(forms: HtmlForm[]): HtmlForm | undefined {
  return forms.find((form) => form.fields.some((field) => field.type === 'password'));
}

function consentForm(forms: HtmlForm[]): { form: HtmlForm; button?: HtmlForm['fields'][number] } | undefined {
  for (const form of forms) {
    const button = form.fields.find((field) => field.type === 'submit' && /approve|allow|accept|authori[sz]e|yes/i.test(field.value));
    if (button) return { form, button };
  }
  const post = forms.find((form) => form.method === 'post');
  return post ? { form: post } : undefined;
}

/**
 * Signs in with `account` and approves every scope the page checked. Follows redirects on the server's
 * origin; a redirect elsewhere is the callback, delivered to the loopback listener like a browser would.
 */
export function formLoginAgent(account: { email: string; password: string }, maxSteps = 8): LoginAgent {
  return {
    observed: true,
    async open(authorizationUrl, page) {
      const origin = new URL(authorizationUrl).origin;
      const jar = new CookieJar();
      let url = authorizationUrl;
      let request: PageRequest = { method: 'GET' };
      for (let step = 0; step < maxSteps; step += 1) {
        const answer = await page(url, { ...request, headers: { ...request.headers, ...jar.header() } });
        jar.remember(answer.headers);
        const location = answer.headers.get('location');
        if (answer.status >= 300 && answer.status < 400 && location) {
          const next = new URL(location, url);
          if (next.origin !== origin) {
            // Only the checker's own loopback listener is ever contacted here.
            if (!['127.0.0.1', 'localhost', '[::1]'].includes(next.hostname)) throw new Error(`redirected to ${next.origin}, not the loopback callback`);
            await fetch(next, { redirect: 'manual' }).then((response) => response.arrayBuffer());
            return;
          }
          url = next.href;
          request = { method: 'GET' };
          continue;
        }
        if (answer.status !== 200) throw new Error(`the page ${new URL(url).pathname} answered ${answer.status}: ${answer.text.slice(0, 200)}`);
        const forms = parseForms(answer.text);
        const login = loginForm(forms);
        const consent = login ? undefined : consentForm(forms);
        const form = login ?? consent?.form;
        if (!form) throw new Error(`no login or consent form on ${new URL(url).pathname}`);
        const values = login ? accountValues(login, account) : {};
        url = new URL(form.action || url, url).href;
        request = {
          method: 'POST',
          form: submission(form, values, consent?.button),
          headers: { origin },
        };
      }
      throw new Error(`no callback after ${maxSteps} pages`);
    },
  };
}
