/** Stage transport: what a hosted client needs from the URL itself — https, and port 443 for claude.ai. */
import { recorder, type CheckContext } from './context.js';

const STAGE = 'transport';

export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || /^127\./.test(hostname) || hostname === '[::1]';
}

export function runTransport(context: CheckContext): void {
  const r = recorder(context, STAGE);
  const { target } = context;
  if (isLoopbackHost(target.hostname)) {
    const detail = 'a loopback URL: hosted clients (claude.ai, ChatGPT) need a public https host on port 443; check the deployed URL too';
    r.notCheckable({ id: 'https', title: 'https for a public host', detail });
    r.notCheckable({ id: 'public-port-443', title: 'port 443 for claude.ai', detail });
    return;
  }
  r.check(target.protocol === 'https:', {
    id: 'https',
    title: 'a public MCP URL uses https',
    problem: `${target.protocol} on a public host: clients refuse to send tokens over it`,
  });
  const port = target.port === '' ? (target.protocol === 'https:' ? '443' : '80') : target.port;
  r.check(target.protocol !== 'https:' || port === '443', {
    id: 'public-port-443',
    title: 'the public URL is on port 443',
    problem: `port ${port}: claude.ai's backend connects only to port 443 and the server sees no request at all`,
  });
}
