/** The hub's mark: a white "L" on a blue rounded square, as SVG for browsers that take it and as an ICO. */
export const faviconSvg =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1d4ed8"/>' +
  '<path d="M5 3h2v8h4v2H5z" fill="#fff"/></svg>';

const size = 16;

/** Whether pixel (x, y), counted from the top left, is the white "L" of the SVG above. */
function isMark(x: number, y: number): boolean {
  return (x >= 5 && x < 7 && y >= 3 && y < 13) || (x >= 5 && x < 11 && y >= 11 && y < 13);
}

/** Outside the rounded corners (radius 3, like the SVG's) the icon is transparent. */
function isCorner(x: number, y: number): boolean {
  const px = x + 0.5;
  const py = y + 0.5;
  const cx = Math.min(Math.max(px, 3), 13);
  const cy = Math.min(Math.max(py, 3), 13);
  return (px - cx) ** 2 + (py - cy) ** 2 > 9;
}

/**
 * `/favicon.ico`, which browsers ask for whatever a page links: one 16×16 32-bit bitmap (BGRA rows from the
 * bottom, then an all-zero AND mask, the alpha channel being what counts).
 */
export const faviconIco: Buffer = (() => {
  const pixels = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      const at = ((size - 1 - y) * size + x) * 4;
      if (isCorner(x, y)) continue;
      const white = isMark(x, y);
      pixels.set(white ? [255, 255, 255, 255] : [0xd8, 0x4e, 0x1d, 255], at);
    }
  }
  const mask = Buffer.alloc(size * 4);
  const info = Buffer.alloc(40);
  info.writeUInt32LE(40, 0);
  info.writeInt32LE(size, 4);
  info.writeInt32LE(size * 2, 8);
  info.writeUInt16LE(1, 12);
  info.writeUInt16LE(32, 14);
  info.writeUInt32LE(pixels.length + mask.length, 20);
  const image = Buffer.concat([info, pixels, mask]);
  const header = Buffer.alloc(22);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(1, 4);
  header.writeUInt8(size, 6);
  header.writeUInt8(size, 7);
  header.writeUInt16LE(1, 10);
  header.writeUInt16LE(32, 12);
  header.writeUInt32LE(image.length, 14);
  header.writeUInt32LE(22, 18);
  return Buffer.concat([header, image]);
})();
