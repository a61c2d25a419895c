import ipaddr from 'ipaddr.js';
import { header, type CoreRequest } from './http.js';

/**
 * Which proxies in front of the server may be believed about the client address (TRUST_PROXY).
 *
 * - none:    X-Forwarded-For is ignored; the TCP peer is the client.
 * - hops:    that many proxies stand in front of the server, each appending the address it saw.
 * - proxies: peers inside these CIDR ranges are our proxies, wherever they are in the chain.
 */
export type TrustProxy =
  | { kind: 'none' }
  | { kind: 'hops'; hops: number }
  | { kind: 'proxies'; ranges: ReadonlyArray<[ipaddr.IPv4 | ipaddr.IPv6, number]> };

/**
 * Reads TRUST_PROXY: `false`/`0` (default), a hop count (`1`, `2`; `true` means 1), or a
 * comma-separated list of proxy addresses and CIDR ranges (`10.0.0.0/8, fd00::/8, 192.0.2.10`).
 * Throws with a one-line message on anything else.
 */
export function parseTrustProxy(raw: string | undefined): TrustProxy {
  const value = raw?.trim().toLowerCase() ?? '';
  if (value === '' || value === 'false' || value === '0') return { kind: 'none' };
  if (value === 'true') return { kind: 'hops', hops: 1 };
  if (/^\d+$/.test(value)) return { kind: 'hops', hops: Number(value) };
  const ranges = value.split(',').map((entry) => {
    const range = entry.trim();
    try {
      if (range.includes('/')) return ipaddr.parseCIDR(range);
      const address = ipaddr.parse(range);
      return [address, address.kind() === 'ipv4' ? 32 : 128] as [typeof address, number];
    } catch {
      throw new Error(
        `TRUST_PROXY must be true, false, a hop count or a comma-separated list of proxy CIDRs, got "${range}"`,
      );
    }
  });
  return { kind: 'proxies', ranges };
}

function parsed(address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  // process() turns an IPv4-mapped IPv6 address (::ffff:192.0.2.1) into the IPv4 address it is.
  return ipaddr.isValid(address) ? ipaddr.process(address) : undefined;
}

function isTrustedProxy(address: string, trust: TrustProxy & { kind: 'proxies' }): boolean {
  const ip = parsed(address);
  return (
    ip !== undefined &&
    trust.ranges.some(([range, bits]) => ip.kind() === range.kind() && ip.match(range, bits))
  );
}

/**
 * The client's address. Each proxy appends the address it received the request from to
 * X-Forwarded-For, so the chain is [what the client wrote…, what our proxies saw…, the TCP peer].
 * Only entries a trusted proxy added are believed: the answer is the right-most entry that a
 * trusted proxy did not add. The left-most entry is whatever the client chose to send.
 */
export function clientAddress(request: CoreRequest, trust: TrustProxy): string {
  if (trust.kind === 'none') return request.remoteAddress;
  const forwarded = (header(request, 'x-forwarded-for') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const chain = [...forwarded, request.remoteAddress];
  let index = chain.length - 1;
  if (trust.kind === 'hops') {
    index = Math.max(0, index - trust.hops);
  } else {
    while (index > 0 && isTrustedProxy(chain[index]!, trust)) index -= 1;
  }
  // Every entry right of `index` is a trusted proxy, so chain[index] was written by one of them
  // (or is the TCP peer). A proxy writing something that is not an address is misconfigured:
  // fall back to the nearest address we know to be real.
  while (index < chain.length - 1 && parsed(chain[index]!) === undefined) index += 1;
  return chain[index]!;
}

/**
 * The key an address is counted under. IPv6 counts per /64: one subscriber usually gets a whole
 * /64, so counting single IPv6 addresses would hand an attacker 2^64 fresh limits.
 */
export function addressKey(address: string): string {
  const ip = parsed(address);
  if (ip === undefined) return address;
  if (ip.kind() === 'ipv4') return ip.toString();
  const prefix = ip.toByteArray().slice(0, 8);
  return `${ipaddr.fromByteArray([...prefix, 0, 0, 0, 0, 0, 0, 0, 0]).toString()}/64`;
}
