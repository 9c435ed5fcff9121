import { BlockList, isIP } from 'node:net';

interface Range {
  net: string;
  prefix: number;
  type: 'ipv4' | 'ipv6';
  reason: string;
}

/** Address ranges a fetch must never reach (SSRF targets). Order: most specific reason first. */
const RANGES: Range[] = [
  { net: '169.254.169.254', prefix: 32, type: 'ipv4', reason: 'cloud-metadata' },
  { net: 'fd00:ec2::254', prefix: 128, type: 'ipv6', reason: 'cloud-metadata' },
  { net: '0.0.0.0', prefix: 8, type: 'ipv4', reason: 'unspecified' },
  { net: '10.0.0.0', prefix: 8, type: 'ipv4', reason: 'private' },
  { net: '100.64.0.0', prefix: 10, type: 'ipv4', reason: 'cgnat' },
  { net: '127.0.0.0', prefix: 8, type: 'ipv4', reason: 'loopback' },
  { net: '169.254.0.0', prefix: 16, type: 'ipv4', reason: 'link-local' },
  { net: '172.16.0.0', prefix: 12, type: 'ipv4', reason: 'private' },
  { net: '192.0.0.0', prefix: 24, type: 'ipv4', reason: 'reserved' },
  { net: '192.0.2.0', prefix: 24, type: 'ipv4', reason: 'documentation' },
  { net: '192.88.99.0', prefix: 24, type: 'ipv4', reason: 'reserved' },
  { net: '192.168.0.0', prefix: 16, type: 'ipv4', reason: 'private' },
  { net: '198.18.0.0', prefix: 15, type: 'ipv4', reason: 'benchmarking' },
  { net: '198.51.100.0', prefix: 24, type: 'ipv4', reason: 'documentation' },
  { net: '203.0.113.0', prefix: 24, type: 'ipv4', reason: 'documentation' },
  { net: '224.0.0.0', prefix: 4, type: 'ipv4', reason: 'multicast' },
  { net: '240.0.0.0', prefix: 4, type: 'ipv4', reason: 'reserved' },
  { net: '::', prefix: 128, type: 'ipv6', reason: 'unspecified' },
  { net: '::1', prefix: 128, type: 'ipv6', reason: 'loopback' },
  // Whole mapped/translated ranges are refused: they only reach IPv4 hosts we check separately.
  { net: '::ffff:0:0', prefix: 96, type: 'ipv6', reason: 'ipv4-mapped' },
  { net: '::', prefix: 96, type: 'ipv6', reason: 'ipv4-compatible' },
  { net: '64:ff9b::', prefix: 96, type: 'ipv6', reason: 'nat64' },
  { net: '64:ff9b:1::', prefix: 48, type: 'ipv6', reason: 'nat64' },
  { net: '100::', prefix: 64, type: 'ipv6', reason: 'discard' },
  { net: '2001:db8::', prefix: 32, type: 'ipv6', reason: 'documentation' },
  { net: '2002::', prefix: 16, type: 'ipv6', reason: '6to4' },
  { net: 'fc00::', prefix: 7, type: 'ipv6', reason: 'unique-local' },
  { net: 'fe80::', prefix: 10, type: 'ipv6', reason: 'link-local' },
  { net: 'fec0::', prefix: 10, type: 'ipv6', reason: 'site-local' },
  { net: 'ff00::', prefix: 8, type: 'ipv6', reason: 'multicast' },
];

const lists = RANGES.map((r) => {
  const list = new BlockList();
  list.addSubnet(r.net, r.prefix, r.type);
  return { list, reason: r.reason, type: r.type };
});

/**
 * Why an IP address must not be connected to, or null when it is a public unicast address.
 * Anything that is not a parseable IP is refused too.
 */
export function blockedAddressReason(address: string): string | null {
  const ip = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = isIP(ip);
  if (family === 0) return 'not-an-ip';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const { list, reason, type: t } of lists) {
    if (t === type && list.check(ip, type)) return reason;
  }
  if (family === 4 && ip === '255.255.255.255') return 'broadcast';
  return null;
}

/** Host names that name internal endpoints whatever DNS says. */
const INTERNAL_NAME = /(^|\.)(localhost|localdomain|internal|local|home\.arpa)$/i;

export function blockedHostnameReason(hostname: string): string | null {
  const name = hostname.replace(/\.$/, '');
  if (INTERNAL_NAME.test(name)) return 'internal-hostname';
  if (name === 'metadata.google.internal' || name === 'metadata') return 'cloud-metadata';
  return null;
}

export const ADDRESS_PATTERNS = [INTERNAL_NAME] as const;
