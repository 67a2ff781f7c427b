// `lintas qr decode` and `lintas qr encode`. Output, input files and the exit
// code go through `QrCliIo`, so tests drive the commands without a process.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { decode } from './decode.ts';
import { encode } from './encode.ts';
import type { CpmField, QrDecodeResult, QrField, QrFieldInput, QrFinding } from './model.ts';

export type QrCliIo = {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly readFile: (path: string) => string;
  readonly setExitCode: (code: number) => void;
};

const processIo: QrCliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  readFile: (path) => readFileSync(path, 'utf8'),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

const indent = '   ';

export function registerQrCommands(program: Command, io: QrCliIo = processIo): void {
  const qr = program.command('qr').description('EMVCo QR payloads: decode and encode');
  qr.command('decode')
    .description(
      'show the data objects of a payload with their names, the findings and the verdict; exit 1 unless valid',
    )
    .argument('<payload>', 'the text a QR code holds (quote it)')
    .option('--strict', 'apply every EMVCo MPM rule as an error (default: lenient, as a wallet scans)')
    .option('--json', 'print the decoded result as JSON')
    .action((payload: string, flags: { strict?: boolean; json?: boolean }) => {
      const result = decode(payload, { mode: flags.strict ? 'strict' : 'lenient' });
      io.out(flags.json ? `${JSON.stringify(result, null, 2)}\n` : describe(result));
      io.setExitCode(result.valid ? 0 : 1);
    });
  qr.command('encode')
    .description('write a payload, with its CRC, from a tree of data objects')
    .requiredOption(
      '--json <file>',
      'JSON: an array of {id, value} and {id, children}, or the output of `qr decode --json`',
    )
    .action((flags: { json: string }) => {
      const fields = readTree(flags.json, io);
      if (fields === undefined) return io.setExitCode(1);
      const result = encode(fields);
      if (result.ok) io.out(`${result.payload}\n`);
      else io.err(`cannot encode: ${result.code} at ${result.path === '' ? 'the top level' : result.path}\n`);
      io.setExitCode(result.ok ? 0 : 1);
    });
}

/** The tree in a JSON file; encode checks each field's shape, this only finds the list. */
function readTree(path: string, io: QrCliIo): readonly QrFieldInput[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(io.readFile(path));
  } catch (error) {
    io.err(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}\n`);
    return undefined;
  }
  const list = typeof parsed === 'object' && parsed !== null && 'fields' in parsed ? parsed.fields : parsed;
  if (Array.isArray(list)) return list as QrFieldInput[];
  io.err(`${path} holds neither an array of data objects nor an object with "fields"\n`);
  return undefined;
}

function describe(result: QrDecodeResult): string {
  switch (result.kind) {
    case 'error':
      return (
        `invalid: ${result.code} at character ` +
        `${result.position}${result.path === '' ? '' : ` in ${result.path}`}: ${result.detail}\n`
      );
    case 'cpm':
      return `consumer-presented payload: valid\n${result.fields.map((field) => describeCpm(field, '')).join('')}`;
    case 'mpm': {
      const verdict = `merchant-presented payload, ${result.mode} verdict: ${result.valid ? 'valid' : 'invalid'}\n`;
      const tree = result.fields.map((field) => describeMpm(field, '')).join('');
      return `${verdict}${tree}63 CRC: ${result.crc}\n${describeFindings(result.findings)}`;
    }
  }
}

function describeMpm(field: QrField, margin: string): string {
  if ('value' in field) return `${margin}${field.id} ${field.name}: ${JSON.stringify(field.value)}\n`;
  return (
    `${margin}${field.id} ` +
    `${field.name}\n${field.children.map((child) => describeMpm(child, margin + indent)).join('')}`
  );
}

function describeCpm(field: CpmField, margin: string): string {
  if ('children' in field)
    return (
      `${margin}${field.tag} ` +
      `${field.name}\n${field.children.map((child) => describeCpm(child, margin + indent)).join('')}`
    );
  const text = field.text === undefined ? '' : ` ${JSON.stringify(field.text)}`;
  return `${margin}${field.tag} ${field.name}: ${field.hex}${text}\n`;
}

function describeFindings(findings: readonly QrFinding[]): string {
  return (['error', 'warning'] as const)
    .map((severity) => {
      const matching = findings.filter((finding) => finding.severity === severity);
      if (matching.length === 0) return '';
      const lines = matching.map(
        (finding) => `${indent}${finding.path === '' ? '-' : finding.path} ${finding.rule}: ${finding.detail}\n`,
      );
      return `${severity}s (${matching.length}):\n${lines.join('')}`;
    })
    .join('');
}
