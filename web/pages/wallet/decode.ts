import jsQR from 'jsqr';

/** The text of the QR code in a picture the user chose, or undefined when none is found. */
export async function decodeQrPicture(file: Blob): Promise<string | undefined> {
  const bitmap = await createImageBitmap(file);
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const context = canvas.getContext('2d');
  if (!context) return undefined;
  context.drawImage(bitmap, 0, 0);
  const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height);
  return jsQR(pixels.data, pixels.width, pixels.height)?.data || undefined;
}

/** Minor units from what a user typed in major units ("15000", "129.9", "129,90"); undefined if not an amount. */
export function minorUnitsOf(typed: string, exponent: number): number | undefined {
  const text = typed.trim().replace(',', '.');
  if (!/^\d{1,15}(\.\d+)?$/.test(text)) return undefined;
  const [whole = '0', fraction = ''] = text.split('.');
  if (fraction.length > exponent) return undefined;
  const minor = Number(whole) * 10 ** exponent + Number(fraction.padEnd(exponent, '0') || '0');
  return Number.isSafeInteger(minor) && minor > 0 ? minor : undefined;
}
