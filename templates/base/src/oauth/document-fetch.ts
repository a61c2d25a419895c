import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { isPublicAddress } from './public-address.js';

/** Resolves a host name to its addresses (dns.lookup by default; tests inject their own). */
export type ResolveHost = (hostname: string) => Promise<string[]>;

export interface DocumentFetchOptions {
  /** CIMD_ALLOW_PRIVATE_ADDRESSES: http: URLs and private addresses, for tests only. */
  allowPrivateAddresses: boolean;
  resolveHost?: ResolveHost;
}

/** The one reason a guarded fetch gives for an address it will not connect to. */
export class BlockedAddressError extends Error {
  constructor(host: string) {
    super(`${host} is not a public address`);
    this.name = 'BlockedAddressError';
  }
}

const resolveWithDns: ResolveHost = async (hostname) =>
  (await lookup(hostname, { all: true })).map((entry) => entry.address);

/**
 * A dns.lookup replacement for the socket: the addresses it hands to connect are the ones it
 * checked, so nothing can rebind the name between the check and the connection. An answer with
 * any address that is not public is refused whole, so happy-eyeballs never falls back to it.
 */
function checkedLookup(resolveHost: ResolveHost, publicOnly: boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolveHost(hostname).then(
      (addresses) => {
        if (addresses.length === 0 || (publicOnly && !addresses.every(isPublicAddress))) {
          callback(new BlockedAddressError(hostname), '', 0);
          return;
        }
        const entries = addresses.map((address) => ({ address, family: isIP(address) }));
        if (options.all) callback(null, entries);
        else callback(null, entries[0]!.address, entries[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

/** A second look at the address actually connected, whatever path the socket took to it. */
function refuseNonPublicPeer(socket: Socket): void {
  socket.once('connect', () => {
    const peer = socket.remoteAddress ?? '';
    if (!isPublicAddress(peer)) socket.destroy(new BlockedAddressError(peer));
  });
}

function toResponse(message: http.IncomingMessage): Response {
  const headers = new Headers();
  for (let i = 0; i < message.rawHeaders.length; i += 2) {
    headers.append(message.rawHeaders[i]!, message.rawHeaders[i + 1]!);
  }
  const status = message.statusCode ?? 0;
  const hasBody = status !== 204 && status !== 304;
  const body = hasBody ? (Readable.toWeb(message) as ReadableStream<Uint8Array>) : null;
  if (!hasBody) message.resume();
  return new Response(body, { status, headers });
}

/**
 * fetch for Client ID Metadata Documents (rule cimd-ssrf): one GET, never a redirect (the
 * response is returned as it is), and a connection only to public addresses, checked at connect
 * time on the address connected. IP literals never reach a lookup, so they are checked here.
 */
export function createDocumentFetch(options: DocumentFetchOptions): typeof fetch {
  const publicOnly = !options.allowPrivateAddresses;
  const lookupFunction = checkedLookup(options.resolveHost ?? resolveWithDns, publicOnly);
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (publicOnly && url.protocol !== 'https:') throw new BlockedAddressError(host);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new BlockedAddressError(host);
    if (publicOnly && isIP(host) && !isPublicAddress(host)) throw new BlockedAddressError(host);
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<Response>((resolve, reject) => {
      const request = transport.request(
        url,
        {
          method: 'GET',
          agent: false,
          lookup: lookupFunction,
          headers: Object.fromEntries(new Headers(init?.headers).entries()),
          ...(init?.signal ? { signal: init.signal } : {}),
        },
        (message) => {
          try {
            resolve(toResponse(message));
          } catch (error) {
            message.destroy();
            reject(error);
          }
        },
      );
      if (publicOnly) request.once('socket', refuseNonPublicPeer);
      request.once('error', reject);
      request.end();
    });
  };
}
