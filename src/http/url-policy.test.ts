import { describe, expect, test } from 'vitest';
import { type AddressLookup, checkOutboundUrl, classifyAddress } from './url-policy.ts';

/** A resolver that answers from a table, so names can point anywhere without real DNS. */
const names: Record<string, string[]> = {
  'hooks.example': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
  'metadata.example': ['169.254.169.254'],
  'mixed.example': ['93.184.216.34', '10.0.0.7'],
  'mixed-metadata.example': ['2606:2800:220:1:248:1893:25c8:1946', 'fd00:ec2::254'],
  'internal.example': ['192.168.1.20'],
  localhost: ['127.0.0.1', '::1'],
};
const tableLookup: AddressLookup = async (hostname) => {
  const addresses = names[hostname];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address }));
};

type Verdict = 'allowed' | 'refused';

/**
 * One row per URL; the expected verdict without and with allowPrivateUrls.
 * Rows go from the rule that always holds (metadata) to the ones the flag lifts.
 */
const rows: [url: string, strict: Verdict, allowPrivate: Verdict, why: RegExp | null][] = [
  ['http://169.254.169.254/latest/meta-data/', 'refused', 'refused', /metadata/],
  ['http://[fd00:ec2::254]/', 'refused', 'refused', /metadata/],
  ['http://[FD00:EC2:0:0:0:0:0:254]/', 'refused', 'refused', /metadata/],
  ['http://[::ffff:169.254.169.254]/', 'refused', 'refused', /metadata/],
  ['http://[::ffff:a9fe:a9fe]/', 'refused', 'refused', /metadata/],
  ['http://[64:ff9b::169.254.169.254]/', 'refused', 'refused', /metadata/],
  ['http://2852039166/', 'refused', 'refused', /metadata/],
  ['http://0xA9FEA9FE/', 'refused', 'refused', /metadata/],
  ['http://169.254.43518/', 'refused', 'refused', /metadata/],
  ['http://100.100.100.200/', 'refused', 'refused', /metadata/],
  ['https://metadata.example/', 'refused', 'refused', /metadata/],
  ['https://mixed-metadata.example/', 'refused', 'refused', /metadata/],
  ['http://127.0.0.1:8080/hooks', 'refused', 'allowed', /loopback/],
  ['http://127.1/', 'refused', 'allowed', /loopback/],
  ['http://0x7f000001/', 'refused', 'allowed', /loopback/],
  ['http://2130706433/', 'refused', 'allowed', /loopback/],
  ['http://0177.0.0.1/', 'refused', 'allowed', /loopback/],
  ['http://127.000.000.001/', 'refused', 'allowed', /loopback/],
  ['http://[::ffff:127.0.0.1]/', 'refused', 'allowed', /loopback/],
  ['http://localhost/', 'refused', 'allowed', /loopback/],
  ['http://[::1]/', 'refused', 'allowed', /loopback/],
  ['http://0.0.0.0/', 'refused', 'allowed', /loopback/],
  ['http://[::]/', 'refused', 'allowed', /loopback/],
  ['http://10.1.2.3/', 'refused', 'allowed', /private/],
  ['http://172.16.0.1/', 'refused', 'allowed', /private/],
  ['http://172.31.255.255/', 'refused', 'allowed', /private/],
  ['http://192.168.0.10/', 'refused', 'allowed', /private/],
  ['http://100.64.0.1/', 'refused', 'allowed', /private/],
  ['http://[fd12:3456::1]/', 'refused', 'allowed', /private/],
  ['http://[::ffff:10.0.0.1]/', 'refused', 'allowed', /private/],
  ['http://169.254.1.1/', 'refused', 'allowed', /link-local/],
  ['http://[fe80::1]/', 'refused', 'allowed', /link-local/],
  ['http://[fe80::1%25eth0]/', 'refused', 'refused', /not a URL/],
  ['https://internal.example/', 'refused', 'allowed', /private/],
  ['https://mixed.example/', 'refused', 'allowed', /10\.0\.0\.7/],
  ['http://172.32.0.1/', 'allowed', 'allowed', null],
  ['https://93.184.216.34/hooks', 'allowed', 'allowed', null],
  ['https://hooks.example/v1/lintas', 'allowed', 'allowed', null],
  ['http://[2606:2800:220:1:248:1893:25c8:1946]:8443/', 'allowed', 'allowed', null],
  ['https://nowhere.example/', 'refused', 'refused', /does not resolve/],
  ['https://user:pass@hooks.example/', 'refused', 'refused', /credentials/],
  ['ftp://hooks.example/', 'refused', 'refused', /http and https/],
  ['not a url', 'refused', 'refused', /not a URL/],
];

describe('outbound URL policy', () => {
  test.each(rows)('%s: %s strict, %s with private URLs allowed', async (url, strict, allowPrivate, why) => {
    for (const [flag, expected] of [
      [false, strict],
      [true, allowPrivate],
    ] as const) {
      const verdict = await checkOutboundUrl(url, { allowPrivate: flag, lookup: tableLookup });
      expect(verdict.ok ? 'allowed' : 'refused', `allowPrivate=${flag}`).toBe(expected);
      if (!verdict.ok) {
        expect(verdict.code).toBe('url_not_allowed');
        if (why) expect(verdict.detail).toMatch(why);
      }
    }
  });

  test('allowUnresolved lets a name that does not resolve through, and nothing else', async () => {
    const lenient = { allowPrivate: false, lookup: tableLookup, allowUnresolved: true };
    expect((await checkOutboundUrl('https://nowhere.example/', lenient)).ok).toBe(true);
    expect(await checkOutboundUrl('https://internal.example/', lenient)).toMatchObject({ ok: false });
    expect(await checkOutboundUrl('http://0x7f000001/', lenient)).toMatchObject({ ok: false });
  });

  test('every address a name resolves to is checked, through node:dns by default', async () => {
    // localhost resolves through the system resolver (/etc/hosts) to loopback.
    const strict = await checkOutboundUrl('http://localhost:9/', { allowPrivate: false });
    expect(strict).toMatchObject({ ok: false, code: 'url_not_allowed' });
    expect((await checkOutboundUrl('http://localhost:9/', { allowPrivate: true })).ok).toBe(true);
  });

  test.each([
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['2002:a9fe:a9fe::1', 'metadata'],
    ['::169.254.169.254', 'metadata'],
    ['127.0.0.1', 'private'],
    ['::ffff:127.0.0.1', 'private'],
    ['fe80::abcd', 'private'],
    ['ff02::1', 'private'],
    ['224.0.0.1', 'private'],
    ['255.255.255.255', 'private'],
    ['2001:db8::1', 'private'],
    ['8.8.8.8', 'public'],
    ['2001:4860:4860::8888', 'public'],
    ['2002:0808:0808::1', 'public'],
  ] as const)('classifies %s as %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });
});
