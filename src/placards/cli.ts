import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Command } from 'commander';
import type { CommandTools } from '../capability.ts';
import { operatorCaller } from '../http/index.ts';
import { qrPng, qrSvg } from '../qr/index.ts';
import { placardPdf } from './render.ts';
import { placardPayload } from './service.ts';
import { invariant } from '../platform/index.ts';

const renderers: Record<
  string,
  (payload: string, merchant: { name: string; city: string }) => Promise<Buffer | string>
> = {
  '.png': (payload) => qrPng(payload),
  '.svg': (payload) => qrSvg(payload),
  '.pdf': (payload, merchant) => placardPdf(payload, merchant),
};

/** `lintas qr placard --merchant <id> --out <file.png|svg|pdf>`: the placard from the hub's database. */
export function registerPlacardCommand(
  program: Command,
  tools: Pick<CommandTools, 'existingConfigOf' | 'openContext'>,
): void {
  const qr = program.commands.find((command) => command.name() === 'qr');
  invariant(qr !== undefined, 'the qr commands are registered before the placard command');
  qr.command('placard')
    .description("write a merchant's placard as PNG, SVG or PDF")
    .requiredOption('--merchant <id>', 'the merchant')
    .requiredOption('--out <file>', 'where to write it; the extension picks the format')
    .option('--db <location>', 'SQLite file path or postgres:// URL (env LINTAS_DB; default ./data/lintas.sqlite)')
    .option('--data-dir <dir>', "the hub's data directory (env LINTAS_DATA_DIR; default ./data)")
    .action(async (flags: { merchant: string; out: string; db?: string; dataDir?: string }) => {
      const render = renderers[extname(flags.out).toLowerCase()];
      if (!render) {
        process.stderr.write('--out must end in .png, .svg or .pdf\n');
        process.exitCode = 2;
        return;
      }
      const ctx = tools.openContext(tools.existingConfigOf(flags), { logLevel: 'warn' });
      try {
        const placard = await placardPayload(ctx, operatorCaller, flags.merchant);
        if (!placard.ok) {
          process.stderr.write(`${placard.detail}\n`);
          process.exitCode = 1;
          return;
        }
        writeFileSync(flags.out, await render(placard.value.payload, placard.value.merchant));
        process.stdout.write(`${flags.out}: placard of ${placard.value.merchant.name} (${placard.value.payload})\n`);
      } finally {
        await ctx.db.close();
      }
    });
}
