import { type LookupAddress, lookup as systemDnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { classifyAddress } from './url-policy.ts';

/**
 * The one undici dispatcher every outbound request of the hub goes through
 * (webhooks, participants' callbacks, authorisations). It judges the address
 * it is about to connect to, not the name it was given, so a name whose DNS
 * answer changes between the check at registration and the connection (DNS
 * rebinding) is refused as well:
 *
 * 1. a host that is an IP address (WHATWG URL has already written `127.1`,
 *    `0x7f000001` or `2130706433` as `127.0.0.1`, `[::ffff:127.0.0.1]` as
 *    `::ffff:7f00:1`) is judged before any socket is opened;
 * 2. a name is resolved by the dispatcher's own lookup, which refuses the
 *    connection when any address it resolves to is refused;
 * 3. once connected, the socket's remote address is judged again, whatever
 *    path led to it.
 *
 * Refused: cloud metadata always; loopback, private, link-local, carrier-grade
 * NAT, multicast, documentation and reserved ranges, IPv4, IPv6 and the IPv6
 * forms that carry an IPv4 address, unless `allowPrivate`
 * (`LINTAS_ALLOW_PRIVATE_URLS=1`, demo and tests). Redirects are never
 * followed (`maxRedirections: 0`; fetch is also told `redirect: 'manual'`).
 */
export class OutboundAddressRefused extends Error {
  override readonly name = 'OutboundAddressRefused';
  readonly code = 'LINTAS_ADDRESS_REFUSED';
}

/** Why the hub may not connect to `address`, or undefined when it may. */
export function addressRefusal(address: string, allowPrivate: boolean): string | undefined {
  const addressClass = classifyAddress(address.replace(/^\[|\]$/g, ''));
  if (addressClass === 'metadata') return `${address} is a cloud metadata address`;
  if (addressClass === 'private' && !allowPrivate)
    return `${address} is a loopback, private, link-local or multicast address`;
  return undefined;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
type Lookup = (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback) => void;
export type DnsLookup = (
  hostname: string,
  options: { all: true },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** A `lookup` for sockets that fails when any address the name resolves to is refused. */
export function guardedLookup(allowPrivate: boolean, dnsLookup: DnsLookup = systemDnsLookup): Lookup {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const usable = addresses.filter(
        (entry) => options.family === undefined || options.family === 0 || entry.family === options.family,
      );
      for (const { address } of addresses) {
        const refusal = addressRefusal(address, allowPrivate);
        if (refusal) return callback(new OutboundAddressRefused(`${hostname} resolves to ${refusal}`), []);
      }
      const [first] = usable;
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      if (options.all) return callback(null, usable);
      return callback(null, first.address, first.family);
    });
  };
}

export type OutboundDispatcherOptions = { allowPrivate: boolean; dnsLookup?: DnsLookup };

/** The dispatcher; see the top of this file. */
export function createOutboundDispatcher(options: OutboundDispatcherOptions): Agent {
  const { allowPrivate } = options;
  const connector = buildConnector({ lookup: guardedLookup(allowPrivate, options.dnsLookup) as never });
  const connect: buildConnector.connector = (target, callback) => {
    const host = target.hostname.replace(/^\[|\]$/g, '');
    const literal = isIP(host) !== 0 ? addressRefusal(host, allowPrivate) : undefined;
    if (literal) {
      callback(new OutboundAddressRefused(literal), null);
      return;
    }
    connector(target, (error, socket) => {
      if (error || !socket) {
        callback(error ?? new Error('no socket'), null);
        return;
      }
      const remote = socket.remoteAddress;
      const refusal =
        remote === undefined ? 'the connection has no remote address' : addressRefusal(remote, allowPrivate);
      if (refusal) {
        socket.destroy();
        callback(new OutboundAddressRefused(`${target.hostname}: ${refusal}`), null);
        return;
      }
      callback(null, socket);
    });
  };
  return new Agent({ connect, maxRedirections: 0 });
}
