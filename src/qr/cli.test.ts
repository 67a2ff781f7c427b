import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerQrCommands } from './cli.ts';
import { conformingPayload, signed, tlv } from './test-payloads.test-support.ts';

/** Runs `lintas <args>` against in-memory output and files. */
async function run(
  args: string[],
  files: Record<string, string> = {},
): Promise<{ out: string; err: string; exitCode: number | undefined }> {
  let out = '';
  let err = '';
  let exitCode: number | undefined;
  const program = new Command('lintas')
    .exitOverride()
    .configureOutput({ writeOut: (text) => (out += text), writeErr: (text) => (err += text) });
  registerQrCommands(program, {
    out: (text) => (out += text),
    err: (text) => (err += text),
    readFile: (path) => {
      const content = files[path];
      if (content === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
      return content;
    },
    setExitCode: (code) => (exitCode = code),
  });
  await program.parseAsync(args, { from: 'user' });
  return { out, err, exitCode };
}

const missingName = conformingPayload({ '59': null });

describe('lintas qr decode', () => {
  it('prints the tree with names, the findings and the verdict; exits 0 when valid', async () => {
    const { out, exitCode } = await run(['qr', 'decode', missingName]);
    expect(exitCode).toBe(0);
    expect(out).toContain('merchant-presented payload, lenient verdict: valid\n');
    expect(out).toContain('00 Payload Format Indicator: "01"\n');
    expect(out).toContain('26 Merchant Account Information\n   00 Globally Unique Identifier: "ID.CO.EXAMPLE.WWW"\n');
    expect(out).toContain(`63 CRC: ${missingName.slice(-4)}\n`);
    expect(out).toContain('warnings (1):\n   59 mandatory_field_missing: 59 is mandatory\n');
  });

  it('applies every rule as an error with --strict, and exits 1', async () => {
    const { out, exitCode } = await run(['qr', 'decode', '--strict', missingName]);
    expect(exitCode).toBe(1);
    expect(out).toContain('strict verdict: invalid\n');
    expect(out).toContain('errors (1):\n   59 mandatory_field_missing');
  });

  it('prints the decoded result as JSON with --json', async () => {
    const { out, exitCode } = await run(['qr', 'decode', '--json', conformingPayload()]);
    expect(exitCode).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ kind: 'mpm', mode: 'lenient', valid: true, findings: [] });
  });

  it('says where an unreadable payload went wrong, and exits 1', async () => {
    const payload = `${conformingPayload().slice(0, -4)}0000`;
    const { out, exitCode } = await run(['qr', 'decode', payload]);
    expect(exitCode).toBe(1);
    expect(out).toMatch(/^invalid: crc_mismatch at character \d+: 63 holds 0000, the payload's CRC is [0-9A-F]{4}\n$/);
  });

  it('shows a consumer-presented payload', async () => {
    const { out, exitCode } = await run(['qr', 'decode', 'hQVDUFYwMWEaTwegAAAAVVVVVw8SNFZ4kBI0WNGRIgESNF8=']);
    expect(exitCode).toBe(0);
    expect(out).toBe(
      'consumer-presented payload: valid\n' +
        '85 Payload Format Indicator: 4350563031 "CPV01"\n' +
        '61 Application Template\n' +
        '   4F Application Definition File (ADF) Name: A0000000555555\n' +
        '   57 Track 2 Equivalent Data: 1234567890123458D191220112345F\n',
    );
  });
});

describe('lintas qr encode', () => {
  const tree = [
    { id: '00', value: '01' },
    { id: '59', value: 'Kedai Kopi' },
  ];
  const payload = signed(tlv('00', '01') + tlv('59', 'Kedai Kopi'));

  it('writes the payload of a tree in a JSON file', async () => {
    const { out, exitCode } = await run(['qr', 'encode', '--json', 'tree.json'], { 'tree.json': JSON.stringify(tree) });
    expect(exitCode).toBe(0);
    expect(out).toBe(`${payload}\n`);
  });

  it('takes the output of qr decode --json as it is', async () => {
    const decoded = await run(['qr', 'decode', '--json', conformingPayload()]);
    const { out } = await run(['qr', 'encode', '--json', 'decoded.json'], { 'decoded.json': decoded.out });
    expect(out).toBe(`${conformingPayload()}\n`);
  });

  it.each([
    ['a missing file', {}, /^cannot read tree\.json: ENOENT/],
    ['a file that is not JSON', { 'tree.json': '[{' }, /^cannot read tree\.json: /],
    [
      'JSON that is not a tree',
      { 'tree.json': '{"id": "00"}' },
      /^tree\.json holds neither an array of data objects nor an object with "fields"\n$/,
    ],
    [
      'a tree encode refuses',
      {
        'tree.json': JSON.stringify([
          { id: '00', value: '01' },
          { id: '63', value: 'ABCD' },
        ]),
      },
      /^cannot encode: field_crc_reserved at 63\n$/,
    ],
  ])('refuses %s, and exits 1', async (_, files, message) => {
    const { out, err, exitCode } = await run(['qr', 'encode', '--json', 'tree.json'], files);
    expect(exitCode).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(message);
  });

  it('needs --json', async () => {
    await expect(run(['qr', 'encode'])).rejects.toThrow(/--json <file>/);
  });
});
