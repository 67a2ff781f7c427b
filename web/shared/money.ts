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
