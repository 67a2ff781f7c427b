import PDFDocument from 'pdfkit';
import { qrPng } from '../qr/index.ts';
import { fallbackRun, fontRuns } from './fonts.ts';

/** "One code, any wallet" in English, Chinese and Indonesian. */
export const placardSlogans = ['One code, any wallet', '一码通，所有钱包都能付', 'Satu kode, semua dompet'];

type Run = { font: Buffer; text: string };

/**
 * A run and its width. A subset file may list a code point its tables cannot
 * lay out (Noto Sans SC's lists Thai U+0E17 without a cmap for it): such a
 * run is shown as question marks rather than failing the placard.
 */
function measured(document: PDFKit.PDFDocument, run: Run, size: number): Run & { width: number } {
  try {
    document.font(run.font).fontSize(size);
    return { ...run, width: document.widthOfString(run.text) };
  } catch {
    const fallback = fallbackRun([...run.text].length);
    document.font(fallback.font).fontSize(size);
    return { ...fallback, width: document.widthOfString(fallback.text) };
  }
}

/** One centred line whose runs may need different fonts: measured first, then drawn side by side. */
function writeLine(document: PDFKit.PDFDocument, text: string, size: number): void {
  const runs = fontRuns(text).map((run) => measured(document, run, size));
  const total = runs.reduce((sum, run) => sum + run.width, 0);
  const top = document.y;
  let left = (document.page.width - total) / 2;
  for (const run of runs) {
    document.font(run.font).fontSize(size).text(run.text, left, top, { lineBreak: false });
    left += run.width;
  }
  document.x = document.page.margins.left;
  document.y = top + size * 1.5;
}

/** An A5 placard: the merchant's name and city, the code, and the slogan in three languages. */
export async function placardPdf(payload: string, merchant: { name: string; city: string }): Promise<Buffer> {
  const document = new PDFDocument({ size: 'A5', margin: 36, info: { Title: `${merchant.name} — Lintas placard` } });
  const chunks: Buffer[] = [];
  document.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve) => document.on('end', () => resolve()));
  writeLine(document, merchant.name, 22);
  writeLine(document, merchant.city, 13);
  document.y += 8;
  const qrSize = 300;
  const qrTop = document.y;
  document.image(await qrPng(payload), (document.page.width - qrSize) / 2, qrTop, { width: qrSize, height: qrSize });
  document.y = qrTop + qrSize + 12;
  for (const slogan of placardSlogans) writeLine(document, slogan, 14);
  document.end();
  await ended;
  return Buffer.concat(chunks);
}
