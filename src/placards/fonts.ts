import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Noto Sans SC, regular weight, as about a hundred files, each drawing a set
 * of code points (font/faces.json says which; `scripts/placard-font.mjs`
 * copies them from @fontsource/noto-sans-sc, licensed OFL-1.1 in
 * font/OFL.txt). Text is split into runs by the file that holds each
 * character, so Latin, Indonesian and Chinese render in one face.
 */
type Face = { file: string; ranges: [number, number][] };

/** The folder is beside this file in the sources; the bundle in dist/ reaches it in src/. */
const fontDirectory = fileURLToPath(
  new URL(import.meta.url.includes('/dist/') ? '../src/placards/font/' : './font/', import.meta.url),
);

let cached: Face[] | undefined;

function faces(): Face[] {
  if (cached) return cached;
  const parsed = (JSON.parse(readFileSync(`${fontDirectory}faces.json`, 'utf8')) as { faces: Face[] }).faces;
  if (parsed.length === 0) throw new Error(`${fontDirectory}faces.json lists no font faces`);
  cached = parsed;
  return cached;
}

function faceOf(codePoint: number): string | undefined {
  return faces().find((face) => face.ranges.some(([from, to]) => codePoint >= from && codePoint <= to))?.file;
}

const fontBuffers = new Map<string, Buffer>();

function fontBuffer(file: string): Buffer {
  let buffer = fontBuffers.get(file);
  if (!buffer) {
    buffer = readFileSync(`${fontDirectory}${file}`);
    fontBuffers.set(file, buffer);
  }
  return buffer;
}

/** Runs of text with the font that draws them; characters no face holds become "?". */
export function fontRuns(text: string): { font: Buffer; text: string }[] {
  const runs: { file: string; text: string }[] = [];
  for (const character of text) {
    const file = faceOf(character.codePointAt(0) as number);
    const shown = file ? character : '?';
    const chosen = file ?? (faceOf(0x3f) as string);
    const last = runs[runs.length - 1];
    if (last && last.file === chosen) last.text += shown;
    else runs.push({ file: chosen, text: shown });
  }
  return runs.map((run) => ({ font: fontBuffer(run.file), text: run.text }));
}

/** `count` question marks in the face that holds "?": what a run no face can draw is shown as. */
export function fallbackRun(count: number): { font: Buffer; text: string } {
  return { font: fontBuffer(faceOf(0x3f) as string), text: '?'.repeat(count) };
}
