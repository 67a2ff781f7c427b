/**
 * The one amount formatter of every page. The API counts minor units; a screen shows each currency as its
 * people write it: rupiah without decimals (no one pays sen), yuan with its two.
 */
const screenDigits: Record<string, number> = { IDR: 0 };

export function formatAmount(minorUnits: number, currency: string, exponent: number, locale: string): string {
  const digits = screenDigits[currency] ?? exponent;
  const format = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return format.format(minorUnits / 10 ** exponent);
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
