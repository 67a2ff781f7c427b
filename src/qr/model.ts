// The shapes of decoded EMVCo QR payloads and the codes of everything that can
// be wrong with them. No rules here: they live in tlv.ts, rules.ts, cpm.ts.

/**
 * `lenient` is what a wallet scanning a code needs: the payload reads and is
 * intact (TLV syntax, no id twice at one level, 00 first with 01, 63 last, the
 * CRC matches). Every EMVCo MPM rule beyond that is a warning.
 * `strict` reports those same rules as errors.
 */
export type QrMode = 'lenient' | 'strict';

/** A data object of a merchant-presented payload holding a plain value. */
export type QrPrimitive = { readonly id: string; readonly name: string; readonly value: string };

/** A data object whose value is itself a list of data objects. */
export type QrTemplate = { readonly id: string; readonly name: string; readonly children: readonly QrField[] };

export type QrField = QrPrimitive | QrTemplate;

/** What `encode` takes: a decoded field, or one written by hand without names. */
export type QrFieldInput =
  | { readonly id: string; readonly name?: string; readonly value: string }
  | { readonly id: string; readonly name?: string; readonly children: readonly QrFieldInput[] };

/**
 * Why a payload cannot be read at all, in the order the checks run. `position`
 * is the index of the character (Unicode code point) where it went wrong.
 */
export type QrCodecError =
  /** The payload is an empty string. */
  | 'payload_empty'
  /** More characters than any QR code holds (`payloadCharsMax`). */
  | 'payload_too_long'
  /** Starts neither with a digit (merchant-presented) nor with "hQ" (base64 of consumer-presented 0x85). */
  | 'payload_kind_unknown'
  /** Fewer than the four characters of an id and a length are left. */
  | 'tlv_truncated'
  /** An id is not two digits. */
  | 'tlv_id_invalid'
  /** A length is not two digits. */
  | 'tlv_length_invalid'
  /** A length runs past the end of the payload or of the enclosing template. */
  | 'tlv_value_overflow'
  /** The same id twice at one level. */
  | 'tlv_id_duplicate'
  /** The first data object is not 00 (Payload Format Indicator). */
  | 'format_indicator_missing'
  /** 00 holds something other than "01". */
  | 'format_indicator_invalid'
  /** No 63 (CRC) data object. */
  | 'crc_missing'
  /** 63 is present but not the last data object. */
  | 'crc_not_last'
  /** 63 does not hold exactly four characters. */
  | 'crc_length_invalid'
  /** 63 holds characters other than hexadecimal digits. */
  | 'crc_not_hex'
  /** 63 does not match the CRC-16/CCITT-FALSE of the payload up to and including "6304". */
  | 'crc_mismatch'
  /** Consumer-presented: not valid base64. */
  | 'cpm_base64_invalid'
  /** Consumer-presented: the BER-TLV data objects do not parse. */
  | 'cpm_tlv_invalid'
  /** Consumer-presented: templates nested deeper than `cpmNestingDepthMax`. */
  | 'cpm_nesting_too_deep'
  /** Consumer-presented: the first data object is not 85 holding "CPV01". */
  | 'cpm_format_indicator_invalid'
  /** Consumer-presented: no 61 application template. */
  | 'cpm_application_missing';

/**
 * An EMVCo MPM rule a readable payload may break. A finding names its rule
 * and the path of the data object (ids joined by "/", empty for the payload as
 * a whole). Listed in the order they are checked: the payload, each data
 * object in payload order, the rules across data objects, the CRC's case.
 */
export type QrRule =
  /** The payload is longer than EMVCo's 512 characters. */
  | 'payload_too_long'
  /** A data object with length 00 (EMVCo lengths run from 01 to 99). */
  | 'value_empty'
  /** An unreserved template (80-99) whose value does not parse as data objects: kept as a plain value. */
  | 'unreserved_template_not_tlv'
  /** An id EMVCo reserves for future use: 65-79, 62/00, 62/10-49, 64/03-99. */
  | 'field_rfu'
  /** 01 is neither "11" (static) nor "12" (dynamic). */
  | 'point_of_initiation_invalid'
  /** 52 is not four digits. */
  | 'merchant_category_code_invalid'
  /** 53 is not the numeric code of a currency in the ISO 4217 table. */
  | 'currency_invalid'
  /** 55 is not "01", "02" or "03". */
  | 'tip_indicator_invalid'
  /** 57 is not a percentage from 00.01 to 99.99, at most 5 characters. */
  | 'convenience_fee_percentage_invalid'
  /** 58 is not two upper-case letters (ISO 3166-1 alpha-2). */
  | 'country_code_invalid'
  /** A value longer than the specification allows (59: 25, 60: 15, 61: 10, 62/01-08: 25, 64/01: 25, 64/02: 15). */
  | 'value_too_long'
  /** A value of format "ans" (02-25, 59-61, 62/01-08) holds a character outside printable ASCII. */
  | 'characters_invalid'
  /** A globally unique identifier (00 of a template 26-51 or 80-99) longer than 32 characters. */
  | 'guid_too_long'
  /** A data object the specification requires is absent: a template's 00, 64/00, 64/01, then 52, 53, 58, 59, 60. */
  | 'mandatory_field_missing'
  /** 62/09 is not a combination of "A", "M" and "E", each at most once. */
  | 'consumer_data_request_invalid'
  /** 64/00 is not two letters (ISO 639-1). */
  | 'language_preference_invalid'
  /** No merchant account information (02 to 51). */
  | 'merchant_account_missing'
  /** 54 is not a non-zero amount of digits with an optional ".", at most 13 characters. */
  | 'amount_invalid'
  /** 54 (or 56) has more digits after the "." than the exponent of the currency in 53. */
  | 'amount_too_many_decimals'
  /** 55 is "02" but 56 is absent. */
  | 'convenience_fee_fixed_missing'
  /** 55 is "03" but 57 is absent. */
  | 'convenience_fee_percentage_missing'
  /** 56 is present without 55 being "02". */
  | 'convenience_fee_fixed_unexpected'
  /** 56 is not an amount in the currency of 53 (the rules of 54). */
  | 'convenience_fee_fixed_invalid'
  /** 57 is present without 55 being "03". */
  | 'convenience_fee_percentage_unexpected'
  /** The CRC is written in lower case; it matches, but EMVCo writes it in upper case. Always a warning. */
  | 'crc_lowercase';

export type QrFinding = {
  readonly rule: QrRule;
  readonly severity: 'error' | 'warning';
  readonly path: string;
  readonly detail: string;
};

export type MpmDecoded = {
  readonly kind: 'mpm';
  readonly mode: QrMode;
  /** True when no finding is an error: always so in lenient mode. */
  readonly valid: boolean;
  /** The data objects in payload order, without 63. */
  readonly fields: readonly QrField[];
  /** The value of 63, as written. */
  readonly crc: string;
  readonly findings: readonly QrFinding[];
};

/** A BER-TLV data object of a consumer-presented payload. */
export type CpmField =
  | { readonly tag: string; readonly name: string; readonly hex: string; readonly text?: string }
  | { readonly tag: string; readonly name: string; readonly children: readonly CpmField[] };

export type CpmDecoded = {
  readonly kind: 'cpm';
  /** Merchant-presented verdicts do not apply: a consumer-presented payload that decodes is valid. */
  readonly valid: true;
  /** 85 (format indicator), then the 61 application templates and the optional 62 common data template. */
  readonly fields: readonly CpmField[];
};

export type QrCodecFailure = {
  readonly kind: 'error';
  readonly valid: false;
  readonly code: QrCodecError;
  readonly position: number;
  /** The ids of the template being read when it went wrong, joined by "/"; empty at the top level. */
  readonly path: string;
  readonly detail: string;
};

export type QrDecodeResult = MpmDecoded | CpmDecoded | QrCodecFailure;

export function codecFailure(code: QrCodecError, position: number, path: string, detail: string): QrCodecFailure {
  return { kind: 'error', valid: false, code, position, path, detail };
}

/** Why `encode` refuses a tree, in the order the checks run. */
export type QrEncodeError =
  /** An id is not two digits. */
  | 'field_id_invalid'
  /** The same id twice at one level. */
  | 'field_id_duplicate'
  /** A field has both or neither of `value` and `children`, or is not an object. */
  | 'field_shape_invalid'
  /** 63 is given: the CRC is always computed. */
  | 'field_crc_reserved'
  /** A template id (26-51, 62, 64) given a plain value. */
  | 'field_template_expected'
  /** Children given where the specification has a plain value. */
  | 'field_primitive_expected'
  /** A value or a template with nothing in it. */
  | 'field_value_empty'
  /** A value or an encoded template longer than 99 characters. */
  | 'field_value_too_long'
  /** No 00 holding "01" at the top level. */
  | 'format_indicator_invalid'
  /** The payload would hold more characters than any QR code. */
  | 'payload_too_long';

export type QrEncodeResult = { ok: true; payload: string } | { ok: false; code: QrEncodeError; path: string };
