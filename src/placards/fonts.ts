import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Noto Sans SC ships as about a hundred subset files, each for a range of
 * code points (its CSS says which). Text is split into runs by the file that
 * holds each character, so Latin, Indonesian and Chinese render in one face.
 */
type Face = { file: string; ranges: [number, number][] };

const fontPackage = '@fontsource/noto-sans-sc';
const facePattern = /url\(\.\/files\/([^)]+?\.woff)\) format\('woff'\);\s*unicode-range: ([^;]+);/g;

let cached: { directory: string; faces: Face[] } | undefined;

function faces(): { directory: string; faces: Face[] } {
  if (cached) return cached;
  const directory = dirname(createRequire(import.meta.url).resolve(`${fontPackage}/400.css`));
  const css = readFileSync(join(directory, '400.css'), 'utf8');
  const parsed = [...css.matchAll(facePattern)].map(([, file, ranges]) => ({
    file: file as string,
    ranges: (ranges as string).split(',').map((range): [number, number] => {
      const [from, to] = range.trim().slice(2).split('-');
      return [Number.parseInt(from as string, 16), Number.parseInt(to ?? (from as string), 16)];
    }),
  }));
  if (parsed.length === 0) throw new Error(`${fontPackage} lists no font faces`);
  cached = { directory, faces: parsed };
  return cached;
}

function faceOf(codePoint: number): string | undefined {
  return faces().faces.find((face) => face.ranges.some(([from, to]) => codePoint >= from && codePoint <= to))?.file;
}

const fontBuffers = new Map<string, Buffer>();

function fontBuffer(file: string): Buffer {
  let buffer = fontBuffers.get(file);
  if (!buffer) {
    buffer = readFileSync(join(faces().directory, 'files', file));
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
