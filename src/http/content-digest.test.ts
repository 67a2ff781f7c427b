import { describe, expect, it } from 'vitest';
import { computeContentDigest, contentDigestHeaderCharsMax, verifyContentDigest } from './content-digest.ts';

// RFC 9530 section 2 / Appendix B: the body `{"hello": "world"}`.
const rfcBody = '{"hello": "world"}';
const rfcSha256 = 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:';
const rfcSha512 = 'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:';

describe('computeContentDigest', () => {
  it('matches the RFC 9530 example', () => {
    expect(computeContentDigest(rfcBody)).toBe(rfcSha256);
  });

  it('gives the same value for a string and its UTF-8 bytes', () => {
    const body = '{"note":"héllo ✓"}';
    expect(computeContentDigest(Buffer.from(body, 'utf8'))).toBe(computeContentDigest(body));
  });

  it('digests an empty body', () => {
    expect(computeContentDigest('')).toBe('sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:');
  });
});

describe('verifyContentDigest', () => {
  const cases: { name: string; header: string; body: string; ok: boolean; detail?: RegExp }[] = [
    { name: 'sha-256 from RFC 9530', header: rfcSha256, body: rfcBody, ok: true },
    { name: 'sha-512 from RFC 9530', header: rfcSha512, body: rfcBody, ok: true },
    { name: 'both algorithms, both match', header: `${rfcSha512}, ${rfcSha256}`, body: rfcBody, ok: true },
    { name: 'a known and an unknown algorithm', header: `md5=:AAAA:, ${rfcSha256}`, body: rfcBody, ok: true },
    { name: 'parameters on the member are ignored', header: `${rfcSha256};note=1`, body: rfcBody, ok: true },
    {
      name: 'not a dictionary',
      header: 'sha-256=abc def',
      body: rfcBody,
      ok: false,
      detail: /not a structured dictionary/,
    },
    {
      name: 'value is not a byte sequence',
      header: 'sha-256="X48E"',
      body: rfcBody,
      ok: false,
      detail: /not a byte sequence/,
    },
    {
      name: 'value is an inner list',
      header: 'sha-256=(:AAAA:)',
      body: rfcBody,
      ok: false,
      detail: /not a byte sequence/,
    },
    {
      name: 'sha-256 of another body',
      header: rfcSha256,
      body: '{"hello": "World"}',
      ok: false,
      detail: /sha-256 does not match/,
    },
    {
      name: 'sha-512 matches but sha-256 does not',
      header: `${rfcSha512}, sha-256=:AAAA:`,
      body: rfcBody,
      ok: false,
      detail: /sha-256 does not match/,
    },
    {
      name: 'only unknown algorithms',
      header: 'md5=:AAAA:, unixsum=:AAAA:',
      body: rfcBody,
      ok: false,
      detail: /no supported algorithm/,
    },
    { name: 'empty header', header: '', body: rfcBody, ok: false, detail: /no supported algorithm/ },
    {
      name: 'over the length limit',
      header: `${rfcSha256}, x=:${'A'.repeat(contentDigestHeaderCharsMax)}:`,
      body: rfcBody,
      ok: false,
      detail: /longer than/,
    },
  ];

  it.each(cases)('$name', ({ header, body, ok, detail }) => {
    const verdict = verifyContentDigest(header, Buffer.from(body));
    expect(verdict.ok).toBe(ok);
    if (!verdict.ok && detail) expect(verdict.detail).toMatch(detail);
  });
});
