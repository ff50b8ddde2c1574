import { BlockList, isIPv4, isIPv6, SocketAddress } from 'node:net';

/** At most this many ranges per key: a list, not a firewall. */
export const MAX_ALLOWED_NETWORKS = 100;

export interface ParsedNetworks {
  /** Canonical CIDR strings (`203.0.113.0/24`, `2001:db8::/32`), deduplicated, in the order given. */
  networks: string[];
  /** One message per bad entry, naming it. */
  errors: string[];
}

/**
 * Reads allowed networks as a manager types them: one per line (or a list),
 * blank lines ignored, a bare address meaning just that address (/32, /128).
 * Host bits are cleared (`10.1.2.3/8` → `10.0.0.0/8`) so equal ranges compare equal.
 */
export function parseAllowedNetworks(input: string | readonly string[]): ParsedNetworks {
  const entries = (typeof input === 'string' ? input.split(/\r?\n/) : input).map((e) => e.trim()).filter((e) => e !== '');
  const networks: string[] = [];
  const errors: string[] = [];
  for (const entry of entries) {
    const parsed = parseCidr(entry);
    if (typeof parsed === 'string') errors.push(`“${entry.slice(0, 60)}”: ${parsed}`);
    else if (!networks.includes(parsed.canonical)) networks.push(parsed.canonical);
  }
  if (networks.length > MAX_ALLOWED_NETWORKS) errors.push(`At most ${MAX_ALLOWED_NETWORKS} networks per key`);
  return { networks, errors };
}

interface Cidr {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
  canonical: string;
}

function parseCidr(entry: string): Cidr | string {
  const slash = entry.indexOf('/');
  const address = slash < 0 ? entry : entry.slice(0, slash);
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : null;
  if (!family) return 'not an IPv4 or IPv6 address or CIDR range (e.g. 203.0.113.0/24, 2001:db8::/32)';
  const max = family === 'ipv4' ? 32 : 128;
  const prefixText = slash < 0 ? String(max) : entry.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return `the prefix length must be 0 to ${max}`;
  const prefix = Number(prefixText);
  const network = clearHostBits(address, family, prefix);
  return { address: network, prefix, family, canonical: `${network}/${prefix}` };
}

function clearHostBits(address: string, family: 'ipv4' | 'ipv6', prefix: number): string {
  if (family === 'ipv4') {
    const n = address.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    const v = (n & mask) >>> 0;
    return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
  }
  const bytes = ipv6Bytes(address);
  for (let bit = prefix; bit < 128; bit++) bytes[bit >> 3] &= ~(0x80 >> (bit & 7));
  // SocketAddress prints the canonical (RFC 5952) form.
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return new SocketAddress({ address: groups.join(':'), family: 'ipv6' }).address;
}

function ipv6Bytes(address: string): number[] {
  let text = address;
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    tail.push(...v4[1].split('.').map(Number));
    text = text.slice(0, -v4[1].length) + '0:0';
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, null];
  const h = head ? head.split(':') : [];
  const r = rest ? rest.split(':') : [];
  const groups = rest === null ? h : [...h, ...Array(8 - h.length - r.length).fill('0'), ...r];
  const bytes = groups.flatMap((g) => {
    const n = parseInt(g || '0', 16);
    return [n >> 8, n & 255];
  });
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/**
 * The allowed networks of one key, compiled once onto its cached principal.
 * The answer per client address is remembered (bounded), so a key used again
 * from an address costs one Map lookup and allocates nothing.
 */
export class NetworkMatcher {
  private readonly list = new BlockList();
  private readonly seen = new Map<string, boolean>();

  constructor(readonly networks: readonly string[]) {
    for (const network of networks) {
      const cidr = parseCidr(network);
      if (typeof cidr !== 'string') this.list.addSubnet(cidr.address, cidr.prefix, cidr.family);
    }
  }

  allows(address: string | undefined): boolean {
    if (!address) return false;
    const known = this.seen.get(address);
    if (known !== undefined) return known;
    const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : null;
    // IPv4 clients of a dual-stack socket show as ::ffff:a.b.c.d; BlockList matches those against IPv4 ranges.
    const allowed = family !== null && this.list.check(address, family);
    if (this.seen.size >= 1024) this.seen.clear();
    this.seen.set(address, allowed);
    return allowed;
  }
}

/** Null for a key usable from anywhere: the guard then skips the check entirely. */
export const compileNetworks = (networks: readonly string[]): NetworkMatcher | null =>
  networks.length === 0 ? null : new NetworkMatcher(networks);
