import { BlockList, isIP } from 'node:net';

/**
 * Which IP addresses a Client ID Metadata Document may be fetched from (rule cimd-ssrf): only
 * public unicast ones. Node's own parser reads every spelling of an address, so IPv4-mapped IPv6
 * in hex (::ffff:7f00:1) is matched against the IPv4 blocks like 127.0.0.1 is.
 *
 * The blocks are the IANA IPv4 and IPv6 Special-Purpose Address Registries, plus multicast.
 * Some registry entries are globally reachable (AS112, AMT); no client hosts a document there.
 */
const SPECIAL_PURPOSE_IPV4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private use
  ['100.64.0.0', 10], // shared address space (carrier-grade NAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link local (cloud metadata services live here)
  ['172.16.0.0', 12], // private use
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation (TEST-NET-1)
  ['192.31.196.0', 24], // AS112-v4
  ['192.52.193.0', 24], // AMT
  ['192.88.99.0', 24], // deprecated 6to4 relay anycast
  ['192.168.0.0', 16], // private use
  ['192.175.48.0', 24], // direct delegation AS112
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation (TEST-NET-2)
  ['203.0.113.0', 24], // documentation (TEST-NET-3)
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, including the limited broadcast 255.255.255.255
];

const SPECIAL_PURPOSE_IPV6: ReadonlyArray<readonly [string, number]> = [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible addresses
  ['::ffff:0:0', 96], // IPv4-mapped
  ['64:ff9b::', 96], // IPv4/IPv6 translation (NAT64)
  ['64:ff9b:1::', 48], // local-use IPv4/IPv6 translation
  ['100::', 64], // discard-only
  ['2001::', 23], // IETF protocol assignments (Teredo, benchmarking, ORCHID, ...)
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4
  ['2620:4f:8000::', 48], // direct delegation AS112
  ['3fff::', 20], // documentation
  ['5f00::', 16], // segment routing (SRv6) SIDs
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link local
  ['fec0::', 10], // site local (deprecated)
  ['ff00::', 8], // multicast
];

// Two lists: BlockList compares an IPv4 address with IPv6 rules in its IPv4-mapped form, which
// the ::ffff:0:0/96 rule would then match.
const specialPurposeIpv4 = new BlockList();
for (const [network, prefix] of SPECIAL_PURPOSE_IPV4) {
  specialPurposeIpv4.addSubnet(network, prefix, 'ipv4');
}
const specialPurposeIpv6 = new BlockList();
for (const [network, prefix] of SPECIAL_PURPOSE_IPV6) {
  specialPurposeIpv6.addSubnet(network, prefix, 'ipv6');
}

/** IPv6 global unicast: everything outside it is unassigned or special. */
const globalUnicastIpv6 = new BlockList();
globalUnicastIpv6.addSubnet('2000::', 3, 'ipv6');

/** True only for a literal IP address that is public unicast; names and malformed input are not. */
export function isPublicAddress(address: string): boolean {
  switch (isIP(address)) {
    case 4:
      return !specialPurposeIpv4.check(address, 'ipv4');
    case 6:
      return globalUnicastIpv6.check(address, 'ipv6') && !specialPurposeIpv6.check(address, 'ipv6');
    default:
      return false;
  }
}
