// EMVCo QR codes: decode with lenient and strict verdicts, encode, build the
// hub's own merchant-presented payloads, and the `lintas qr` commands. The
// only door into src/qr.
export {
  buildMerchantPresentedPayload,
  type AdditionalDataInput,
  type MerchantAccountInput,
  type MerchantPresentedInput,
  type QrBuildResult,
} from './build.ts';
export { crc16ccitt } from './crc.ts';
export { decode, payloadCharsMax, type DecodeOptions } from './decode.ts';
export { encode, findField, firstFreeTemplateId, valueCharsMax } from './encode.ts';
export type {
  CpmDecoded,
  CpmField,
  MpmDecoded,
  QrCodecError,
  QrCodecFailure,
  QrDecodeResult,
  QrEncodeError,
  QrEncodeResult,
  QrField,
  QrFieldInput,
  QrFinding,
  QrMode,
  QrPrimitive,
  QrRule,
  QrTemplate,
} from './model.ts';
export { fieldName } from './names.ts';
export { type EmvNames, emvNamesOf, languageOf, latinOf, merchantCityCharsMax, merchantNameCharsMax } from './latin.ts';
export { qrPng, qrSvg } from './render.ts';
