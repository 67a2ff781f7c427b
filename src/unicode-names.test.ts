import { inflateSync } from 'node:zlib';
import { parse as promptparse } from 'promptparse';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decode, findField } from './qr/index.ts';
import { type TestHub, type TestParticipant, bearerClient, startTestHub } from './testing/index.ts';
import { type TestMerchant, buyerOf, createCheckout, createMerchant, createWallet } from './testing/world.ts';

/**
 * Names in every script, safely: a merchant named 茶叶店 in 北京 gets a placard,
 * a till QR and a checkout QR that two independent EMVCo parsers read (the
 * hub's own decoder and promptparse), with a Latin name and city in 59 and 60
 * and the Chinese ones in the language template 64; what could hide or
 * reorder a name is refused with a 400.
 */
let hub: TestHub;
let wallet: TestParticipant;
let teaShop: TestMerchant;

beforeAll(async () => {
  hub = await startTestHub();
  wallet = await createWallet(hub, 'Name Wallet', { roles: ['issuer', 'acquirer'] });
  teaShop = await createMerchant(hub, wallet, { name: '茶叶店', city: '北京', country: 'CN', currency: 'CNY' });
});
afterAll(async () => {
  await hub?.stop();
});

type Read = { name: string; city: string; language: string; nameOwn: string; cityOwn: string };

/** What the hub's decoder reads, in strict mode, from a payload. */
function readByHub(payload: string): Read {
  const verdict = decode(payload, { mode: 'strict' });
  expect(verdict.kind).toBe('mpm');
  if (verdict.kind !== 'mpm') throw new Error('not a merchant-presented payload');
  expect(verdict.valid, JSON.stringify(verdict.findings)).toBe(true);
  const value = (path: string) => {
    const field = findField(verdict.fields, path);
    return field && 'value' in field ? field.value : undefined;
  };
  return {
    name: value('59') as string,
    city: value('60') as string,
    language: value('64/00') as string,
    nameOwn: value('64/01') as string,
    cityOwn: value('64/02') as string,
  };
}

/** CRC-16/CCITT-FALSE bit by bit over the UTF-8 bytes, as EMVCo defines it: a reference apart from the hub's own. */
function referenceCrc(text: string): string {
  let crc = 0xffff;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc.toString(16).toUpperCase().padStart(4, '0');
}

/**
 * What promptparse, an independent EMVCo parser, reads. Its own CRC check
 * hashes UTF-16 code units, not the UTF-8 bytes EMVCo names, so it reads only
 * ASCII payloads in its strict mode: here it reads the TLV tree, and the CRC
 * is checked by the reference above.
 */
function readByPromptparse(payload: string): Read {
  expect(referenceCrc(payload.slice(0, -4)), 'the CRC over the UTF-8 bytes').toBe(payload.slice(-4));
  const parsed = promptparse(payload, false);
  expect(parsed, 'promptparse reads the payload').not.toBeNull();
  const tag = (id: string, sub?: string) => parsed?.getTagValue(id, sub) as string;
  return {
    name: tag('59'),
    city: tag('60'),
    language: tag('64', '00'),
    nameOwn: tag('64', '01'),
    cityOwn: tag('64', '02'),
  };
}

/**
 * The characters a PDF's fonts draw: every embedded font's ToUnicode CMap
 * (inflated) maps the glyphs it drew back to code points.
 */
function drawnCharacters(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  let characters = '';
  for (const match of raw.matchAll(/stream\r?\n/g)) {
    const start = (match.index as number) + match[0].length;
    let text: string;
    try {
      text = inflateSync(pdf.subarray(start, raw.indexOf('endstream', start))).toString('latin1');
    } catch {
      continue;
    }
    if (!text.includes('begincmap')) continue;
    for (const code of text.matchAll(/<([0-9a-f]{4})>/g))
      characters += String.fromCodePoint(Number.parseInt(code[1] as string, 16));
  }
  return characters;
}

const teaShopRead: Read = { name: 'Cha Ye Dian', city: 'Bei Jing', language: 'zh', nameOwn: '茶叶店', cityOwn: '北京' };

function expectBothRead(payload: string): void {
  expect(readByHub(payload)).toEqual(teaShopRead);
  expect(readByPromptparse(payload)).toEqual(teaShopRead);
}

describe('a merchant named 茶叶店 in 北京', () => {
  test('is created with its Latin name and city for 59 and 60, and its language for 64', () => {
    expect(teaShop.body).toMatchObject({
      name: '茶叶店',
      city: '北京',
      nameLatin: 'Cha Ye Dian',
      cityLatin: 'Bei Jing',
      language: 'zh',
    });
  });

  test('gets a placard both parsers read, and the placard prints the Chinese name', async () => {
    const placard = await teaShop.call('GET', `/v1/merchants/${teaShop.id}/placard?format=payload`);
    expect(placard.status, placard.text).toBe(200);
    expectBothRead(placard.body.payload);
    for (const format of ['png', 'svg'] as const) {
      const drawn = await fetch(`${hub.url}/v1/merchants/${teaShop.id}/placard?format=${format}`, {
        headers: { authorization: `Bearer ${teaShop.secretKey}` },
      });
      expect(drawn.status, format).toBe(200);
    }
    const pdf = await fetch(`${hub.url}/v1/merchants/${teaShop.id}/placard?format=pdf`, {
      headers: { authorization: `Bearer ${teaShop.secretKey}` },
    });
    expect(pdf.status).toBe(200);
    // The glyphs drawn map back to the characters of the name and the city as the merchant wrote them.
    const drawn = drawnCharacters(Buffer.from(await pdf.arrayBuffer()));
    for (const character of '茶叶店北京') expect(drawn).toContain(character);
  });

  test('gets a till QR both parsers read, and a wallet pays it', async () => {
    const till = await teaShop.call('POST', '/v1/pos/qr-codes', { amount: 8_800, currency: 'CNY', reference: 'tea-1' });
    expect(till.status, till.text).toBe(201);
    expectBothRead(till.body.qrPayload);
    const resolved = await wallet.call('POST', '/v1/payment-requests/resolve', { qrPayload: till.body.qrPayload });
    expect(resolved.status, resolved.text).toBe(200);
    expect(resolved.body.merchant.name).toBe('茶叶店');
    const paid = await wallet.call('POST', '/v1/transfers', {
      paymentToken: resolved.body.paymentToken,
      amount: 8_800,
      currency: 'CNY',
      payer: { ref: 'tea-till-1' },
    });
    expect(paid.status, paid.text).toBe(201);
  });

  test('gets a checkout QR both parsers read', async () => {
    const checkout = await createCheckout(teaShop);
    const attempt = await buyerOf(hub, checkout)('POST', `/v1/checkouts/${checkout.id}/attempts`, {
      walletId: wallet.id,
      flow: 'qr',
    });
    expect(attempt.status, attempt.text).toBe(201);
    expectBothRead(attempt.body.qrPayload);
    const svg = await fetch(attempt.body.qrImageUrl, {
      headers: { authorization: `Bearer ${checkout.clientSecret}` },
    });
    expect(svg.status).toBe(200);
  });
});

describe('names in other scripts', () => {
  test.each([
    [{ name: 'Café', city: 'Paris', country: 'FR', currency: 'EUR' }, 'Cafe', 'Paris', 'fr'],
    [{ name: '☕ Kopi', city: 'Jakarta', country: 'ID', currency: 'IDR' }, 'Kopi', 'Jakarta', 'id'],
    [{ name: '☕', city: '☕', country: 'ID', currency: 'IDR' }, 'Merchant', 'ID', 'id'],
    [{ name: 'ร้านกาแฟ', city: 'กรุงเทพ', country: 'TH', currency: 'THB' }, undefined, undefined, 'th'],
    [{ name: '喫茶店', city: '東京', country: 'JP', currency: 'JPY' }, undefined, undefined, 'ja'],
    [{ name: 'Toko Lintas', city: 'Jakarta', country: 'ID', currency: 'IDR' }, 'Toko Lintas', 'Jakarta', null],
  ])('%j: a placard carries %s, %s and language %s', async (fields, nameLatin, cityLatin, language) => {
    const acquirer = await createWallet(hub, `Acquirer ${fields.currency}`, {
      roles: ['issuer', 'acquirer'],
      currencies: [fields.currency],
      netDebitCaps: {},
    });
    const merchant = await createMerchant(hub, acquirer, fields);
    expect(merchant.body.language).toBe(language);
    if (nameLatin) expect(merchant.body.nameLatin).toBe(nameLatin);
    if (cityLatin) expect(merchant.body.cityLatin).toBe(cityLatin);
    const placard = await merchant.call('GET', `/v1/merchants/${merchant.id}/placard?format=payload`);
    expect(placard.status, placard.text).toBe(200);
    const read = readByHub(placard.body.payload);
    expect(read.name).toBe(merchant.body.nameLatin);
    expect(read.nameOwn).toBe(language === null ? undefined : fields.name);
    expect(readByPromptparse(placard.body.payload).name).toBe(merchant.body.nameLatin);
    const pdf = await fetch(`${hub.url}/v1/merchants/${merchant.id}/placard?format=pdf`, {
      headers: { authorization: `Bearer ${merchant.secretKey}` },
    });
    expect(pdf.status).toBe(200);
  });

  test('a merchant may give its Latin name, city and language; a new name drops the Latin name given for the old', async () => {
    const merchant = await createMerchant(hub, wallet, {
      name: '茶叶店',
      city: '北京',
      nameLatin: 'Tea Leaf Shop',
      cityLatin: 'Beijing',
      language: 'zh',
    });
    expect(merchant.body).toMatchObject({ nameLatin: 'Tea Leaf Shop', cityLatin: 'Beijing', language: 'zh' });
    const placard = await merchant.call('GET', `/v1/merchants/${merchant.id}/placard?format=payload`);
    expect(readByPromptparse(placard.body.payload)).toEqual({
      ...teaShopRead,
      name: 'Tea Leaf Shop',
      city: 'Beijing',
    });
    const renamed = await wallet.call('PATCH', `/v1/merchants/${merchant.id}`, { name: '茶馆' });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body).toMatchObject({ name: '茶馆', nameLatin: 'Cha Guan', cityLatin: 'Beijing' });
  });

  test('a name is kept composed (NFC): an e and a combining accent are one é', async () => {
    const merchant = await createMerchant(hub, wallet, { name: 'Cafe\u0301 Bleu' });
    expect(merchant.body.name).toBe('Café Bleu');
    expect(merchant.body.nameLatin).toBe('Cafe Bleu');
  });
});

describe('what could hide or reorder a name is refused with a 400', () => {
  test.each([
    ['a newline', 'Toko\nLintas', 'a control character (U+000A)'],
    ['a NUL', 'Toko\u0000', 'a control character (U+0000)'],
    ['a tab', 'Toko\tLintas', 'a control character (U+0009)'],
    ['an RTL override', 'Toko\u202Egpj.exe', 'a bidirectional control (U+202E)'],
    ['a right-to-left isolate', 'Toko\u2067x', 'a bidirectional control (U+2067)'],
    ['a zero-width space', 'To\u200Bko', 'an invisible format character (U+200B)'],
    ['a byte order mark', '\uFEFFToko', 'an invisible format character (U+FEFF)'],
    ['a private-use character', 'Toko \uE000', 'a private-use or unassigned code point (U+E000)'],
    ['a lone surrogate', 'Toko \uD800', 'a lone surrogate'],
    ['only spaces', '   ', 'is blank'],
    ['a leading space', ' Toko', 'begins or ends with white space'],
    ['26 characters', '茶'.repeat(26), 'must NOT have more than 25 characters'],
  ])('a merchant name with %s', async (_label, name, detail) => {
    const created = await wallet.call('POST', '/v1/merchants', {
      name,
      mcc: '5812',
      city: 'Beijing',
      country: 'CN',
      currency: 'CNY',
    });
    expect(created.status, created.text).toBe(400);
    expect(created.body.code).toBe('invalid_request');
    expect(created.body.errors).toEqual([{ pointer: '/name', detail: expect.stringContaining(detail) }]);
  });

  test('a city, a renamed merchant, a participant and a Latin name are held to the same rules', async () => {
    const city = await wallet.call('POST', '/v1/merchants', {
      name: 'Toko',
      mcc: '5812',
      city: '北京\n',
      country: 'CN',
      currency: 'CNY',
    });
    expect(city.status).toBe(400);
    expect(city.body.errors[0].pointer).toBe('/city');
    const renamed = await wallet.call('PATCH', `/v1/merchants/${teaShop.id}`, { name: 'Tea\u202E' });
    expect(renamed.status).toBe(400);
    const participant = await bearerClient(hub, hub.operatorToken)('POST', '/v1/participants', {
      name: 'Wallet\u0000',
      roles: ['issuer'],
      currencies: ['CNY'],
      callbackUrl: 'http://127.0.0.1:9/callbacks',
    });
    expect(participant.status).toBe(400);
    expect(participant.body.errors[0].pointer).toBe('/name');
    const latin = await wallet.call('POST', '/v1/merchants', {
      name: '茶叶店',
      nameLatin: 'Chá',
      mcc: '5812',
      city: '北京',
      country: 'CN',
      currency: 'CNY',
    });
    expect(latin.status).toBe(400);
    expect(latin.body.errors[0].pointer).toBe('/nameLatin');
  });

  test('25 Chinese characters fit, in the placard too', async () => {
    const merchant = await createMerchant(hub, wallet, { name: '茶'.repeat(25), city: '北'.repeat(15) });
    const placard = await merchant.call('GET', `/v1/merchants/${merchant.id}/placard?format=payload`);
    expect(placard.status, placard.text).toBe(200);
    expect(readByHub(placard.body.payload).nameOwn).toBe('茶'.repeat(25));
    expect(readByPromptparse(placard.body.payload).nameOwn).toBe('茶'.repeat(25));
  });
});
