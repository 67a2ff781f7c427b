import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { createMerchant, createWallet } from '../testing/world.ts';
import { ledgerCheckOf } from '../testing/index.ts';
import { acquirer, hub, issuer, merchant, operator, paid, raised, useDisputeWorld } from './world.test-support.ts';

useDisputeWorld();

describe('evidence files over HTTP', () => {
  test(
    'evidence files: PDF, PNG and JPEG by content, with their SHA-256, within size and count, visible to the ' +
      "dispute's parties only and served as the checked type",
    async () => {
      const dispute = await raised(await paid(900), 900);
      const path = `/v1/disputes/${dispute.id}/evidence`;
      const pdf = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
      const file = (bytes: Buffer, contentType: string) => ({
        fileName: 'proof',
        contentType,
        contentBase64: bytes.toString('base64'),
      });
      const filed = await merchant.call('POST', path, file(pdf, 'application/pdf'));
      expect(filed.status, filed.text).toBe(201);
      expect(filed.body).toMatchObject({
        party: 'merchant',
        contentType: 'application/pdf',
        sizeBytes: pdf.length,
        sha256: createHash('sha256').update(pdf).digest('hex'),
      });
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
      expect((await issuer.call('POST', path, file(png, 'image/png'))).body.party).toBe('issuer');
      const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]);
      expect((await acquirer.call('POST', path, file(jpeg, 'image/jpeg'))).body.party).toBe('acquirer');

      const html = Buffer.from('<html><script>alert(1)</script></html>');
      expect((await merchant.call('POST', path, file(html, 'application/pdf'))).body).toMatchObject({
        code: 'evidence_type_not_allowed',
        detectedType: null,
      });
      expect((await merchant.call('POST', path, file(png, 'application/pdf'))).body).toMatchObject({
        code: 'evidence_type_not_allowed',
        detectedType: 'image/png',
      });
      expect((await merchant.call('POST', path, file(pdf, 'text/html'))).status).toBe(400);
      const huge = Buffer.concat([pdf, Buffer.alloc(512 * 1024)]);
      expect((await merchant.call('POST', path, file(huge, 'application/pdf'))).status).toBe(400);
      const justOver = Buffer.concat([pdf, Buffer.alloc(512 * 1024 - pdf.length + 1)]);
      // 512 KiB + 1 still fits the schema's base64 length, so the decoded size is what refuses it.
      const over = await merchant.call('POST', path, file(justOver, 'application/pdf'));
      expect(over.body).toMatchObject({ code: 'evidence_too_large', sizeBytesMax: 512 * 1024 });
      for (let count = 3; count < 10; count += 1)
        expect((await merchant.call('POST', path, file(pdf, 'application/pdf'))).status).toBe(201);
      expect((await merchant.call('POST', path, file(pdf, 'application/pdf'))).body.code).toBe(
        'evidence_limit_reached',
      );

      const listed = await acquirer.call('GET', path);
      expect(listed.body.data).toHaveLength(10);
      const content = await fetch(`${hub.url}${path}/${filed.body.id}/content`, {
        headers: { authorization: `Bearer ${merchant.secretKey}` },
      });
      expect(content.status).toBe(200);
      expect(content.headers.get('content-type')).toBe('application/pdf');
      expect(content.headers.get('content-disposition')).toMatch(/^attachment/);
      expect(content.headers.get('x-content-type-options')).toBe('nosniff');
      expect(Buffer.from(await content.arrayBuffer()).equals(pdf)).toBe(true);

      const stranger = await createWallet(hub, 'Nosy Wallet');
      const otherShop = await createMerchant(hub, acquirer, { name: 'Nosy Shop' });
      expect((await stranger.call('GET', path)).status).toBe(404);
      expect((await otherShop.call('GET', path)).status).toBe(404);
      expect((await otherShop.call('GET', `${path}/${filed.body.id}/content`)).status).toBe(404);
      expect((await stranger.call('POST', path, file(pdf, 'application/pdf'))).status).toBe(404);
      expect((await operator('GET', path)).body.data).toHaveLength(10);
      await issuer.call('POST', `/v1/disputes/${dispute.id}/withdraw`, {});
    },
  );

  test('the ledger check passes after all of it', async () => {
    const check = ledgerCheckOf(hub.config.db);
    expect(check.status, check.output).toBe(0);
  });
});
