import QRCode from 'qrcode';

/**
 * Pictures of a payload, in byte mode only: left to itself `qrcode` mixes
 * segment modes, which EMVCo forbids. Error correction M and a quiet zone
 * of four modules, as the QR standard asks.
 */
function segments(payload: string) {
  return [{ data: Buffer.from(payload, 'utf8'), mode: 'byte' as const }];
}

const pictureOptions = { errorCorrectionLevel: 'M' as const, margin: 4 };
const pngModulePixels = 8;

export async function qrPng(payload: string): Promise<Buffer> {
  return QRCode.toBuffer(segments(payload), { ...pictureOptions, type: 'png', scale: pngModulePixels });
}

export async function qrSvg(payload: string): Promise<string> {
  return QRCode.toString(segments(payload), { ...pictureOptions, type: 'svg' });
}
