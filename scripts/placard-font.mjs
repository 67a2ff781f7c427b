#!/usr/bin/env node
// Regenerates src/placards/font/ from @fontsource/noto-sans-sc (a dev dependency): the regular weight's
// WOFF files, the code points each one draws (faces.json) and the font's licence (OFL-1.1). Placards use
// one weight and one format; the package's other eight weights and its WOFF2 copies (71 of its 76 MiB) are
// never read, so the production install carries only these. Run it after upgrading the package.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const target = join(root, 'src/placards/font');
const source = dirname(createRequire(import.meta.url).resolve('@fontsource/noto-sans-sc/400.css'));
const { version } = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8'));
const facePattern = /url\(\.\/files\/([^)]+?\.woff)\) format\('woff'\);\s*unicode-range: ([^;]+);/g;

const faces = [...readFileSync(join(source, '400.css'), 'utf8').matchAll(facePattern)].map(([, file, ranges]) => ({
  file,
  ranges: ranges.split(',').map((range) => {
    const [from, to] = range.trim().slice(2).split('-');
    return [Number.parseInt(from, 16), Number.parseInt(to ?? from, 16)];
  }),
}));
if (faces.length === 0) throw new Error('400.css lists no WOFF faces');

rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
for (const face of faces) copyFileSync(join(source, 'files', face.file), join(target, face.file));
copyFileSync(join(source, 'LICENSE'), join(target, 'OFL.txt'));
writeFileSync(
  join(target, 'faces.json'),
  `${JSON.stringify({ font: 'Noto Sans SC', weight: 400, package: `@fontsource/noto-sans-sc@${version}`, faces })}\n`,
);
// Formatted as the repository's checks expect its JSON.
execFileSync(join(root, 'node_modules/.bin/biome'), ['format', '--write', join(target, 'faces.json')], {
  stdio: 'ignore',
});
console.log(`wrote ${faces.length} faces of @fontsource/noto-sans-sc@${version} to ${target}`);
