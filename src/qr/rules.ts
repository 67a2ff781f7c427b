// The EMVCo MPM rules beyond what a payload needs to be read: mandatory data
// objects, formats, lengths, the tip and convenience-fee conditions, reserved
// ids. The same checks serve both modes; only their severity differs.
//
// They run on every scan, so they ride along with the scanner instead of
// walking the tree again: it hands over each plain value with its numeric id
// and, at the end of each level, the ids it saw there as bit masks, which
// answer "is it present" without a search. Paths and details are built only
// for a finding.
import { currencyByNumeric, parseDecimalAmount, type Currency } from '../money/index.ts';
import type { QrFinding, QrRule } from './model.ts';
import {
  idStrings,
  levelAdditionalData,
  levelLanguage,
  levelMerchantAccount,
  levelRoot,
  levelUnreserved,
  type Level,
} from './names.ts';
import { characterCount, isAns, scanFields, type FieldChecker } from './tlv.ts';

/** EMVCo's limit on a whole payload. */
const emvPayloadCharsMax = 512;
const guidCharsMax = 32;
const amountCharsMax = 13;
const percentageCharsMax = 5;
const merchantNameCharsMax = 25;
const merchantCityCharsMax = 15;
const postalCodeCharsMax = 10;
const additionalDataCharsMax = 25;
const consumerDataRequestCharsMax = 3;

/** The mandatory 52, 53, 58, 59, 60, and their bits in the mask of ids 32-63. */
const mandatoryRootIds = [52, 53, 58, 59, 60] as const;
const mandatoryRootBits = mandatoryRootIds.reduce((bits, id) => bits | (1 << (id - 32)), 0);
/** Bits of the masks for the merchant account ids 02-31 and 32-51. */
const merchantAccountBitsLow = ~0b11;
const merchantAccountBitsHigh = (1 << 20) - 1;

type Severity = QrFinding['severity'];

/** Ranges of ids (inclusive) and the value they hold in a table by id. */
type IdRanges = readonly (readonly [from: number, to: number, value: number])[];

function byId(ranges: IdRanges): Uint8Array {
  const table = new Uint8Array(100);
  for (const [from, to, value] of ranges) table.fill(value, from, to + 1);
  return table;
}

// The rules on single values as tables, by level then id, so that the common
// checks are a lookup and a comparison. Levels: root, merchant account
// template, 62, 62/50-99, 64, unreserved template (names.ts).

/** The most characters a value may hold; 0 for no limit below the 99 of its length. */
const charsMaxById: readonly Uint8Array[] = [
  byId([
    [59, 59, merchantNameCharsMax],
    [60, 60, merchantCityCharsMax],
    [61, 61, postalCodeCharsMax],
  ]),
  byId([[0, 0, guidCharsMax]]),
  byId([[1, 8, additionalDataCharsMax]]),
  byId([]),
  byId([
    [1, 1, merchantNameCharsMax],
    [2, 2, merchantCityCharsMax],
  ]),
  byId([[0, 0, guidCharsMax]]),
];

/** 1 where the value must be EMVCo "ans" (printable ASCII). */
const ansById: readonly Uint8Array[] = [
  byId([
    [2, 25, 1],
    [59, 61, 1],
  ]),
  byId([]),
  byId([[1, 8, 1]]),
  byId([]),
  byId([]),
  byId([]),
];

/** 1 where the value has a rule of its own, in `rootValue`, `additionalDataValue` or `languageValue`. */
const specialById: readonly Uint8Array[] = [
  byId([
    [1, 1, 1],
    [52, 58, 1],
    [65, 99, 1],
  ]),
  byId([]),
  byId([
    [0, 0, 1],
    [9, 49, 1],
  ]),
  byId([]),
  byId([
    [0, 0, 1],
    [3, 99, 1],
  ]),
  byId([]),
];

/** What the scanner hands over: every id with a rule of any kind (see `FieldChecker.checkedIds`). */
const checkedById: readonly Uint8Array[] = charsMaxById.map((charsMax, level) =>
  charsMax.map((max, id) => (max !== 0 || ansById[level]![id] === 1 || specialById[level]![id] === 1 ? 1 : 0)),
);

/** How each rule that judges one value words its finding: only once there is one, never on the way. */
const valueDetails: Partial<Record<QrRule, (value: string) => string>> = {
  value_empty: () => 'length 00: EMVCo lengths run from 01',
  point_of_initiation_invalid: (value) => `${quote(value)} is neither 11 (static) nor 12 (dynamic)`,
  merchant_category_code_invalid: (value) => `${quote(value)} is not four digits`,
  currency_invalid: (value) => `${quote(value)} is not an ISO 4217 numeric code`,
  tip_indicator_invalid: (value) => `${quote(value)} is not 01, 02 or 03`,
  convenience_fee_percentage_invalid: (value) => `${quote(value)} is not a percentage from 00.01 to 99.99`,
  country_code_invalid: (value) => `${quote(value)} is not an ISO 3166-1 alpha-2 code`,
  characters_invalid: (value) => `${quote(value)} holds characters outside printable ASCII`,
  guid_too_long: () => `more than ${guidCharsMax} characters`,
  field_rfu: () => 'reserved for future use by EMVCo',
  consumer_data_request_invalid: (value) => `${quote(value)} is not a combination of A, M and E, each at most once`,
  language_preference_invalid: (value) => `${quote(value)} is not an ISO 639-1 code`,
  amount_invalid: (value) => `${quote(value)} is not a non-zero amount of at most ${amountCharsMax} characters`,
  convenience_fee_fixed_invalid: (value) =>
    `${quote(value)} is not a non-zero amount of at most ${amountCharsMax} characters`,
};

/**
 * The rules, fed by the scanner as it reads (see `FieldChecker`): table
 * lookups for lengths and characters, a few methods for the values with rules
 * of their own, and the rules across data objects in `finish`. Wording a
 * finding happens in `fail`, `missing` and `add`, only when there is one.
 */
export class MerchantPresentedRules implements FieldChecker {
  readonly findings: QrFinding[] = [];
  private currency: Currency | undefined = undefined;
  private amount: string | undefined = undefined;
  private tipIndicator: string | undefined = undefined;
  private feeFixed: string | undefined = undefined;
  private feePercentage: string | undefined = undefined;

  constructor(
    /** "error" in strict mode, "warning" in lenient. */
    private readonly severity: Severity,
    /** When the whole payload is printable ASCII, no value needs its own "ans" check. */
    private readonly payloadIsAns: boolean,
  ) {}

  checkedIds(level: Level): Uint8Array {
    return checkedById[level]!;
  }

  mark(): number {
    return this.findings.length;
  }

  rollback(mark: number): void {
    this.findings.length = mark;
  }

  value(level: Level, parentId: number, id: number, value: string): void {
    if (value.length === 0) {
      this.fail('value_empty', parentId, id, value);
      return;
    }
    const charsMax = charsMaxById[level]![id]!;
    if (charsMax !== 0 && value.length > charsMax) this.length(level, parentId, id, value, charsMax);
    if (!this.payloadIsAns && ansById[level]![id] === 1 && !isAns(value))
      this.fail('characters_invalid', parentId, id, value);
    if (specialById[level]![id] === 0) return;
    if (level === levelRoot) this.rootValue(id, value);
    else if (level === levelAdditionalData) this.additionalDataValue(id, value);
    else this.languageValue(id, value);
  }

  levelEnd(level: Level, parentId: number, seen0: number, seen1: number): void {
    if (level === levelRoot) this.rootPresence(seen0, seen1);
    else if ((level === levelMerchantAccount || level === levelUnreserved) && (seen0 & 1) === 0)
      this.missing(parentId, 0);
    else if (level === levelLanguage && (seen0 & 0b11) !== 0b11) {
      if ((seen0 & 1) === 0) this.missing(64, 0);
      if ((seen0 & 2) === 0) this.missing(64, 1);
    }
  }

  /** The rules across data objects, once the payload is read; returns every finding. */
  finish(payloadChars: number): QrFinding[] {
    if (this.amount !== undefined) this.checkAmount(54, this.amount, 'amount_invalid');
    this.checkConvenienceFee();
    if (payloadChars > emvPayloadCharsMax)
      this.add('payload_too_long', '', `${payloadChars} characters, EMVCo allows ${emvPayloadCharsMax}`);
    return this.findings;
  }

  private rootValue(id: number, value: string): void {
    switch (id) {
      case 1:
        if (!isPointOfInitiation(value)) this.fail('point_of_initiation_invalid', -1, id, value);
        return;
      case 52:
        if (!isDigits(value, 4)) this.fail('merchant_category_code_invalid', -1, id, value);
        return;
      case 53:
        this.currency = currencyByNumeric(value);
        if (this.currency === undefined) this.fail('currency_invalid', -1, id, value);
        return;
      case 54:
        this.amount = value;
        return;
      case 55:
        this.tipIndicator = value;
        if (!isTipIndicator(value)) this.fail('tip_indicator_invalid', -1, id, value);
        return;
      case 56:
        this.feeFixed = value;
        return;
      case 57:
        this.feePercentage = value;
        if (!isPercentage(value)) this.fail('convenience_fee_percentage_invalid', -1, id, value);
        return;
      case 58:
        if (!isUpperLetters(value, 2)) this.fail('country_code_invalid', -1, id, value);
        return;
    }
    if (id >= 80) this.plainUnreservedTemplate(id, value);
    else if (id >= 65) this.fail('field_rfu', -1, id, value);
  }

  /** 52, 53, 58, 59, 60 and a merchant account, from the ids seen at the top level. */
  private rootPresence(seen0: number, seen1: number): void {
    if ((seen0 & merchantAccountBitsLow) === 0 && (seen1 & merchantAccountBitsHigh) === 0) {
      this.add('merchant_account_missing', '', 'no merchant account information (02 to 51)');
    }
    if ((seen1 & mandatoryRootBits) === mandatoryRootBits) return;
    for (const id of mandatoryRootIds) {
      if ((seen1 & (1 << (id - 32))) === 0) this.missing(-1, id);
    }
  }

  /** 62/00, 62/09, 62/10-49; payment-system templates (50-99) belong to their owner. */
  private additionalDataValue(id: number, value: string): void {
    if (id !== 9) this.fail('field_rfu', 62, id, value);
    else if (!isConsumerDataRequest(value)) this.fail('consumer_data_request_invalid', 62, id, value);
  }

  /** 64/00 and 64/03-99. */
  private languageValue(id: number, value: string): void {
    if (id !== 0) this.fail('field_rfu', 64, id, value);
    else if (!isLetters(value, 2)) this.fail('language_preference_invalid', 64, id, value);
  }

  /** An unreserved template (80-99) the scanner kept as a plain value because it does not parse. */
  private plainUnreservedTemplate(id: number, value: string): void {
    const path = idStrings[id]!;
    const scan = scanFields(value, levelUnreserved, { hasSurrogates: true, path });
    if (Array.isArray(scan)) throw new Error(`unreserved template ${path} parses but was kept plain`);
    this.add(
      'unreserved_template_not_tlv',
      path,
      `${path} is not a template (${scan.code} at ${scan.unitPosition}: ${scan.detail})`,
    );
  }

  private checkConvenienceFee(): void {
    const tip = this.tipIndicator;
    if (tip === '02' && this.feeFixed === undefined)
      this.add('convenience_fee_fixed_missing', '56', '55 is 02 (fixed fee) but 56 is absent');
    if (tip === '03' && this.feePercentage === undefined)
      this.add('convenience_fee_percentage_missing', '57', '55 is 03 (percentage fee) but 57 is absent');
    if (this.feeFixed !== undefined) {
      if (tip !== '02')
        this.add('convenience_fee_fixed_unexpected', '56', `56 is present but 55 is ${tip ?? 'absent'}, not 02`);
      this.checkAmount(56, this.feeFixed, 'convenience_fee_fixed_invalid');
    }
    if (this.feePercentage !== undefined && tip !== '03') {
      this.add('convenience_fee_percentage_unexpected', '57', `57 is present but 55 is ${tip ?? 'absent'}, not 03`);
    }
  }

  /**
   * An amount is read in the currency of 53, through the table the hub counts
   * money with. Without a known currency there is no exponent to read it by,
   * and the finding on 53 already says what is wrong.
   */
  private checkAmount(id: number, value: string, formatRule: QrRule): void {
    const currency = this.currency;
    if (currency === undefined) return;
    const parsed = value.length > amountCharsMax ? undefined : parseDecimalAmount(value, currency.alpha);
    if (parsed?.ok === false && parsed.code === 'amount_too_many_decimals') {
      this.add(
        'amount_too_many_decimals',
        idStrings[id]!,
        `${quote(value)} has more decimals than ${currency.alpha} has (${currency.exponent})`,
      );
    } else if (parsed === undefined || !parsed.ok || parsed.amount === 0) {
      this.fail(formatRule, -1, id, value);
    }
  }

  /** A value longer in UTF-16 units than `charsMax`: too long unless surrogate pairs make it fit. */
  private length(level: Level, parentId: number, id: number, value: string, charsMax: number): void {
    const chars = characterCount(value);
    if (chars <= charsMax) return;
    if (level === levelMerchantAccount || level === levelUnreserved) this.fail('guid_too_long', parentId, id, value);
    else this.add('value_too_long', pathOf(parentId, id), `length ${chars} outside 1..${charsMax}`);
  }

  private missing(parentId: number, id: number): void {
    const wording = missingWording(parentId, id);
    this.add('mandatory_field_missing', wording.path, wording.detail);
  }

  private fail(rule: QrRule, parentId: number, id: number, value: string): void {
    this.add(rule, pathOf(parentId, id), valueDetails[rule]!(value));
  }

  private add(rule: QrRule, path: string, detail: string): void {
    this.findings.push({ rule, severity: this.severity, path, detail });
  }
}

/** "11" (static) or "12" (dynamic), by character codes: cheaper than comparing strings on every scan. */
function isPointOfInitiation(value: string): boolean {
  const second = value.charCodeAt(1);
  return value.length === 2 && value.charCodeAt(0) === 0x31 && (second === 0x31 || second === 0x32);
}

/** "01", "02" or "03". */
function isTipIndicator(value: string): boolean {
  const second = value.charCodeAt(1);
  return value.length === 2 && value.charCodeAt(0) === 0x30 && second >= 0x31 && second <= 0x33;
}

/**
 * Path and detail of a missing data object, worded once per place: payloads
 * from schemes that leave out 52, 59 and 60 (PromptPay, VietQR) report them on
 * every scan.
 */
const missingWordings: { path: string; detail: string }[] = [];

function missingWording(parentId: number, id: number): { path: string; detail: string } {
  const index = (parentId + 1) * 100 + id;
  let wording = missingWordings[index];
  if (wording === undefined) {
    const path = pathOf(parentId, id);
    wording = {
      path,
      detail: parentId < 0 ? `${path} is mandatory` : `${path} is mandatory in template ${idStrings[parentId]}`,
    };
    missingWordings[index] = wording;
  }
  return wording;
}

/** `parentId` -1 for a top-level data object. */
function pathOf(parentId: number, id: number): string {
  return parentId < 0 ? idStrings[id]! : `${idStrings[parentId]}/${idStrings[id]}`;
}

/** 62/09: some of "A" (address), "M" (mobile), "E" (email), each at most once. */
function isConsumerDataRequest(value: string): boolean {
  if (value.length > consumerDataRequestCharsMax) return false;
  for (let i = 0; i < value.length; i++) {
    const letter = value[i]!;
    if ((letter !== 'A' && letter !== 'M' && letter !== 'E') || value.indexOf(letter) !== i) return false;
  }
  return true;
}

function isLetters(value: string, length: number): boolean {
  return isUpperLetters(value.toUpperCase(), length);
}

function isDigits(value: string, length: number): boolean {
  if (value.length !== length) return false;
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

function isUpperLetters(value: string, length: number): boolean {
  if (value.length !== length) return false;
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x41 || code > 0x5a) return false;
  }
  return true;
}

/** "00.01" to "99.99": one or two digits, then optionally "." and at most two decimals. */
function isPercentage(value: string): boolean {
  if (value.length > percentageCharsMax) return false;
  const mark = value.indexOf('.');
  const whole = mark === -1 ? value : value.slice(0, mark);
  const decimals = mark === -1 ? '' : value.slice(mark + 1);
  if (whole.length < 1 || whole.length > 2 || decimals.length > 2) return false;
  if (!isDigits(whole, whole.length) || !isDigits(decimals, decimals.length)) return false;
  const hundredths = Number(whole) * 100 + Number(decimals.padEnd(2, '0'));
  return hundredths >= 1 && hundredths <= 9999;
}

function quote(value: string): string {
  return JSON.stringify(value);
}
