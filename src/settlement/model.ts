/**
 * Settlement windows: the period whose transfers are settled together, its
 * report, and its settlement. Pure rules, no I/O.
 *
 * For one window, one participant and one currency, over the window's
 * committed transfers (payments, refunds, chargebacks and arbitration fees
 * alike):
 *
 * - `sent`: the amounts of the transfers it paid (payments as issuer,
 *   refunds and chargebacks as acquirer; an arbitration fee is amount 0 and
 *   its payer's switch fee);
 * - `received`: the amounts of the transfers it was paid;
 * - `feesPaid`: the fees it was charged: its switch fee on each payment
 *   (issuer's or acquirer's), the interchange it paid as a payment's
 *   acquirer, and the interchange it gave back as a refund's issuer;
 * - `feesReceived`: the interchange it earned as a payment's issuer and
 *   the interchange returned to it as a refund's acquirer; for the hub,
 *   every switch fee;
 * - `net = received − sent + feesReceived − feesPaid`: what it is owed
 *   (positive) or owes (negative); it equals the sum of its ledger entries
 *   for the window's transfers, and the nets of a currency sum to zero.
 *
 * An on-us transfer is both sent and received by its participant. The
 * merchant discount is none of these: the acquirer charges it outside the
 * hub, and the report shows it per merchant.
 */
import { csvRow, invariant } from '../platform/index.ts';

export type WindowStatus = 'open' | 'closed' | 'settled';
export type WindowEvent = 'close' | 'settle';

/** The one table of allowed transitions. */
const windowTransitions: Record<WindowStatus, Partial<Record<WindowEvent, WindowStatus>>> = {
  open: { close: 'closed' },
  closed: { settle: 'settled' },
  settled: {},
};

export function nextWindowStatus(from: WindowStatus, event: WindowEvent): WindowStatus | undefined {
  return windowTransitions[from][event];
}

/** The stamp each transition sets. */
export function stampOf(event: WindowEvent): 'closed_at' | 'settled_at' {
  switch (event) {
    case 'close':
      return 'closed_at';
    case 'settle':
      return 'settled_at';
    default: {
      const unknownEvent: never = event;
      throw new Error(`unknown window event ${String(unknownEvent)}`);
    }
  }
}

export type SettlementWindow = {
  id: string;
  status: WindowStatus;
  businessDate: string;
  openedAt: string;
  closedAt: string | null;
  settledAt: string | null;
  /** The window opened by this one's close. */
  nextWindowId: string | null;
};

/** The account of the hub in a report, as in the ledger. */
export const hubParticipantId = 'hub';

export type ReportLine = {
  participantId: string;
  currency: string;
  sent: number;
  received: number;
  feesPaid: number;
  feesReceived: number;
  net: number;
};

/** What `payerId` owes `payeeId` for the window, netted both ways; the hub is a payee for switch fees. */
export type BilateralLine = { payerId: string; payeeId: string; currency: string; amount: number };

/** A merchant's share of the window, for its acquirer: the merchant discount is charged outside the hub. */
export type MerchantLine = {
  merchantId: string;
  acquirerId: string;
  currency: string;
  payments: number;
  paymentAmount: number;
  refunds: number;
  refundAmount: number;
  /** Disputes charged back to the merchant's acquirer in the window. */
  chargebacks: number;
  chargebackAmount: number;
  merchantDiscount: number;
};

/** `transfers` counts every kind (arbitration fees too); the others count their own kind. */
export type ReportCounts = { transfers: number; payments: number; refunds: number; chargebacks: number };

export type WindowReport = {
  windowId: string;
  status: WindowStatus;
  businessDate: string;
  lines: ReportLine[];
  bilateral: BilateralLine[];
  merchants: MerchantLine[];
  counts: ReportCounts;
};

/** Who reads a report: the operator all of it, a participant only what concerns it. */
export type ReportAudience = { type: 'all' } | { type: 'participant'; id: string };

export const csvColumns = [
  'windowId',
  'businessDate',
  'participantId',
  'currency',
  'sent',
  'received',
  'feesPaid',
  'feesReceived',
  'net',
] as const;

/**
 * The report's lines as RFC 4180 CSV (CRLF line ends), written by the hub's one CSV writer: the text cells are ids,
 * codes and dates, the amounts integers, which stay numbers when negative.
 */
export function reportCsv(report: Pick<WindowReport, 'windowId' | 'businessDate' | 'lines'>): string {
  const rows = report.lines.map((line) =>
    csvRow([
      report.windowId,
      report.businessDate,
      line.participantId,
      line.currency,
      line.sent,
      line.received,
      line.feesPaid,
      line.feesReceived,
      line.net,
    ]),
  );
  return [csvRow(csvColumns), ...rows].join('');
}

/** Asserts what every report must show: per currency, the nets sum to zero. */
export function assertNetsSumToZero(windowId: string, lines: readonly ReportLine[]): void {
  const sums = new Map<string, number>();
  for (const line of lines) sums.set(line.currency, (sums.get(line.currency) ?? 0) + line.net);
  for (const [currency, sum] of sums)
    invariant(sum === 0, `window ${windowId} nets in ${currency} sum to 0 (not ${sum})`);
}

/** A window's settlement moves each participant by minus its net: its positions no longer hold the window. */
export function settlementPostings(
  lines: readonly ReportLine[],
  currency: string,
): { account: string; amount: number }[] {
  return lines
    .filter((line) => line.currency === currency && line.net !== 0)
    .map((line) => ({ account: line.participantId, amount: -line.net }));
}
