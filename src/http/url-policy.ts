import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { type Result, invariant, ok, refuse } from '../platform/index.ts';

/**
 * Where the hub may send a webhook or a callback. Checked when a URL is
 * registered and again before every attempt, on every address its host
 * resolves to, because a name may point elsewhere tomorrow.
 *
 * 1. `metadata`: cloud instance metadata (169.254.169.254, fd00:ec2::254,
 *    and Alibaba's 100.100.100.200) is refused always: it hands out the
 *    credentials of the machine the hub runs on.
 * 2. `private`: loopback, private, link-local, carrier-grade NAT,
 *    unspecified, multicast, documentation and reserved ranges are refused
 *    unless `allowPrivateUrls` (demo and tests).
 * 3. `public`: everything else.
 *
 * Hosts are read by WHATWG URL, which writes every IPv4 spelling (`127.1`,
 * `0x7f000001`, `2130706433`, `0177.0.0.1`) as a dotted quad, so each is
 * judged as the address it is. A name that does not resolve is refused,
 * unless the policy lets it through (`allowUnresolved`): a participant's
 * callback URL is registered before its servers may be up, and is checked
 * again before every call.
 *
 * IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4)
 * are judged by that address. The name is resolved again when the hub
 * connects: the outbound dispatcher (`outbound-dispatcher.ts`) judges the
 * addresses it connects to by the same `classifyAddress`, so a DNS answer
 * that changes between this check and the connection is refused there;
 * redirects are never followed.
 */
export type AddressClass = 'metadata' | 'private' | 'public';

export type AddressLookup = (hostname: string) => Promise<readonly { address: string }[]>;

export const systemLookup: AddressLookup = (hostname) => lookup(hostname, { all: true, verbatim: true });

/** A name that does not resolve within this is refused (at registration) or retried (at delivery). */
export const lookupTimeoutMs = 5_000;

function withinLookupTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no DNS answer within ${lookupTimeoutMs} ms`)), lookupTimeoutMs);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

type Range = { bytes: number[]; bits: number; class: Exclude<AddressClass, 'public'> };

const metadataRanges = ['169.254.169.254/32', 'fd00:ec2::254/128', '100.100.100.200/32'];
const privateRanges = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  '::1/128',
  '100::/64',
  '64:ff9b:1::/48',
  '2001::/23',
  '2001:db8::/32',
  'fc00::/7',
  'fe80::/10',
  'fec0::/10',
  'ff00::/8',
];

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255)) return undefined;
  return parts.map(Number);
}

function parseIpv6(text: string): number[] | undefined {
  const address = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIP(address) !== 6) return undefined;
  let groupsText = address;
  const lastColon = address.lastIndexOf(':');
  const ipv4 = parseIpv4(address.slice(lastColon + 1));
  if (ipv4) {
    // A trailing dotted quad is the last two groups written another way.
    const [a = 0, b = 0, c = 0, d = 0] = ipv4;
    groupsText = `${address.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [left = '', right] = groupsText.split('::');
  const leftGroups = left === '' ? [] : left.split(':');
  const rightGroups = right === undefined || right === '' ? [] : right.split(':');
  const zeros = right === undefined ? 0 : 8 - leftGroups.length - rightGroups.length;
  const groups = [...leftGroups, ...Array<string>(Math.max(zeros, 0)).fill('0'), ...rightGroups];
  if (groups.length !== 8) return undefined;
  return groups.flatMap((group) => {
    const value = Number.parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
}

/** The IPv4 address an IPv6 address stands for, when it embeds one. */
function embeddedIpv4(bytes: number[]): number[] | undefined {
  const startsWith = (prefix: number[]) => prefix.every((byte, index) => bytes[index] === byte);
  const zeros = (count: number) => Array<number>(count).fill(0);
  if (startsWith([...zeros(10), 0xff, 0xff])) return bytes.slice(12); // ::ffff:a.b.c.d, mapped
  if (startsWith([0x00, 0x64, 0xff, 0x9b, ...zeros(8)])) return bytes.slice(12); // 64:ff9b::/96, NAT64
  if (startsWith([0x20, 0x02])) return bytes.slice(2, 6); // 2002::/16, 6to4
  if (startsWith(zeros(12))) return bytes.slice(12); // ::a.b.c.d, compatible (:: and ::1 land in 0.0.0.0/8)
  return undefined;
}

function parseRange(cidr: string, rangeClass: Range['class']): Range {
  const [address = '', bits = ''] = cidr.split('/');
  const bytes = parseIpv4(address) ?? parseIpv6(address);
  invariant(bytes !== undefined, `the listed range ${cidr} parses`);
  return { bytes, bits: Number(bits), class: rangeClass };
}

const ranges: Range[] = [
  ...metadataRanges.map((cidr) => parseRange(cidr, 'metadata')),
  ...privateRanges.map((cidr) => parseRange(cidr, 'private')),
];

function inRange(bytes: number[], range: Range): boolean {
  if (bytes.length !== range.bytes.length) return false;
  for (let bit = 0; bit < range.bits; bit += 1) {
    const index = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((bytes[index] ?? 0) & mask) !== ((range.bytes[index] ?? 0) & mask)) return false;
  }
  return true;
}

/** Classifies one IP address (IPv4 dotted quad or IPv6, brackets allowed). Throws on anything else. */
export function classifyAddress(address: string): AddressClass {
  const bytes = parseIpv4(address) ?? parseIpv6(address);
  if (!bytes) throw new Error(`not an IP address: ${address}`);
  const found = ranges.find((range) => inRange(bytes, range))?.class;
  const embedded = bytes.length === 16 ? embeddedIpv4(bytes) : undefined;
  const inner = embedded ? classifyAddress(embedded.join('.')) : 'public';
  if (found === 'metadata' || inner === 'metadata') return 'metadata';
  if (found === 'private' || inner === 'private') return 'private';
  return 'public';
}

export type UrlPolicy = { allowPrivate: boolean; lookup?: AddressLookup; allowUnresolved?: boolean };

function notAllowed(url: string, reason: string) {
  return refuse('url_not_allowed', `${url} is not allowed: ${reason}`);
}

/** The URL, when the hub may send to it now; resolves its host name. */
export async function checkOutboundUrl(text: string, policy: UrlPolicy): Promise<Result<URL, 'url_not_allowed'>> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return notAllowed(text, 'it is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return notAllowed(text, 'only http and https are sent to');
  if (url.username !== '' || url.password !== '') return notAllowed(text, 'it carries credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host) !== 0) addresses = [host];
  else {
    try {
      addresses = (await withinLookupTimeout((policy.lookup ?? systemLookup)(host))).map((entry) => entry.address);
    } catch {
      addresses = [];
    }
    if (addresses.length === 0) return policy.allowUnresolved ? ok(url) : notAllowed(text, `${host} does not resolve`);
  }
  for (const address of addresses) {
    const addressClass = classifyAddress(address);
    if (addressClass === 'metadata')
      return notAllowed(text, `${host} resolves to ${address}, a cloud metadata address`);
    if (addressClass === 'private' && !policy.allowPrivate) {
      return notAllowed(text, `${host} resolves to ${address}, a loopback, private or link-local address`);
    }
  }
  return ok(url);
}
