import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from '@readme/openapi-parser';
import { describe, expect, test } from 'vitest';
import { templateOf, violationsOf } from './openapi.ts';

const headers = {
  'content-type': 'application/vnd.interoperability.transfers+json;version=1.1',
  accept: 'application/vnd.interoperability.transfers+json;version=1.1',
  date: 'Mon, 07 Dec 2026 14:00:00 GMT',
  'fspiop-source': 'payerfsp',
};

const transfer = {
  transferId: 'b51ec534-ee48-4575-b6a9-ead2955b8069',
  payerFsp: 'payerfsp',
  payeeFsp: 'payeefsp',
  amount: { currency: 'USD', amount: '100' },
  ilpPacket: 'AYIBgQAAAAAAAASwNGxldmVsb25lLmRmc3AxLm1lci45T2RTOF81MDdqUTZNcHZ3',
  condition: 'n2cwS3w4ekGlvNYoXg2uBAqssu3FCoXjADE2mziU5jU',
  expiration: '2026-12-07T14:01:00.000Z',
};

describe('the vendored FSPIOP v1.1 definition', () => {
  test('the JSON the hub imports is the vendored YAML, unchanged', async () => {
    const yamlPath = fileURLToPath(new URL('./vendor/fspiop-rest-v1.1-openapi3-snippets.yaml', import.meta.url));
    const json = JSON.parse(readFileSync(new URL('./vendor/fspiop-rest-v1.1.json', import.meta.url), 'utf8'));
    expect(json).toEqual(await parse(yamlPath));
  });

  test.each([
    ['/participants/MSISDN/123', '/participants/{Type}/{ID}'],
    ['/participants/MSISDN/123/error', '/participants/{Type}/{ID}/error'],
    ['/participants/MSISDN/123/30', '/participants/{Type}/{ID}/{SubId}'],
    ['/parties/MSISDN/123/error', '/parties/{Type}/{ID}/error'],
    ['/transfers/abc', '/transfers/{ID}'],
    ['/transfers/abc/error', '/transfers/{ID}/error'],
    ['/nothing/here', undefined],
  ])('%s is %s', (path, template) => {
    expect(templateOf(path)).toBe(template);
  });
});

describe('violationsOf', () => {
  test('a conforming POST /transfers has none', () => {
    expect(violationsOf({ method: 'post', path: '/transfers', headers, body: transfer })).toEqual([]);
  });

  test.each([
    ['a missing required header', { ...headers, 'fspiop-source': undefined }, transfer, 'header FSPIOP-Source'],
    ['a missing body field', headers, { ...transfer, condition: undefined }, 'body'],
    [
      'an amount with a comma',
      headers,
      { ...transfer, amount: { currency: 'USD', amount: '1,5' } },
      'body/amount/amount',
    ],
    ['a transfer id that is no UUID', headers, { ...transfer, transferId: 'trf_1' }, 'body/transferId'],
    [
      'a currency not in ISO 4217',
      headers,
      { ...transfer, amount: { currency: 'XYZ', amount: '1' } },
      'body/amount/currency',
    ],
  ])('%s is a violation', (_name, withHeaders, body, where) => {
    const violations = violationsOf({ method: 'post', path: '/transfers', headers: withHeaders, body });
    expect(violations.map((violation) => violation.where)).toContain(where);
  });

  test("a transfer id may be a ULID, as Mojaloop's hub and testing toolkit make them", () => {
    const body = { ...transfer, transferId: '01M98HGWYRF2WJYE37PHPJCRZ4' };
    expect(violationsOf({ method: 'post', path: '/transfers', headers, body })).toEqual([]);
  });

  test('an unknown path and an undefined method are violations', () => {
    expect(violationsOf({ method: 'get', path: '/nothing', headers })).toEqual([
      { where: 'path', message: '/nothing is no FSPIOP resource' },
    ]);
    expect(violationsOf({ method: 'delete', path: '/transfers/abc', headers })[0]?.where).toBe('method');
  });
});
