/**
 * Channels: a wallet as a way to pay at one merchant. It starts as the
 * merchant's application to the wallet, which the wallet reviews; the
 * application record is the channel. Pure rules, no I/O.
 */

export const channelStatuses = ['pending', 'info_requested', 'approved', 'rejected', 'suspended'] as const;
export type ChannelStatus = (typeof channelStatuses)[number];

/** Every status but `rejected` is live: at most one live channel per (merchant, wallet). */
export function isLive(status: ChannelStatus): boolean {
  return status !== 'rejected';
}

/** What a merchant tells the wallet about itself; every field optional. */
export type BusinessDetails = {
  website?: string | undefined;
  /** Minor units of the merchant's currency (a merchant has one). */
  expectedMonthlyVolume?: number | undefined;
  note?: string | undefined;
};

export type Channel = {
  id: string;
  merchantId: string;
  walletId: string;
  status: ChannelStatus;
  businessDetails: BusinessDetails;
  /** The wallet's last question, kept after the merchant answers it. */
  question: string | null;
  /** Why the channel is rejected or suspended; null in other statuses. */
  reason: string | null;
  createdAt: string;
  updatedAt: string;
  approvedAt: string | null;
  rejectedAt: string | null;
  suspendedAt: string | null;
  reinstatedAt: string | null;
  infoRequestedAt: string | null;
  infoProvidedAt: string | null;
};

/** What a reviewing wallet needs to know of the merchant, and a merchant of the wallet. */
export type ChannelView = Channel & {
  merchant: { name: string; mcc: string; city: string; country: string; currency: string };
  wallet: { name: string };
};

/** Who may raise an event: the wallet reviews; the merchant answers a question. */
export type ChannelParty = 'wallet' | 'merchant';

export type ChannelEvent =
  | { type: 'request_info'; question: string }
  | { type: 'provide_info'; businessDetails: BusinessDetails }
  | { type: 'approve' }
  | { type: 'reject'; reason: string }
  | { type: 'suspend'; reason: string }
  | { type: 'reinstate' };

export type ChannelEventType = ChannelEvent['type'];

/**
 * The one table of allowed transitions, `{from, event} → to`. A wallet may
 * decide while its question is still open; only an approved channel is
 * suspended; a rejection is final for that application (the merchant may
 * apply again, which makes a new channel).
 */
const channelTransitions: Record<ChannelStatus, Partial<Record<ChannelEventType, ChannelStatus>>> = {
  pending: { request_info: 'info_requested', approve: 'approved', reject: 'rejected' },
  info_requested: { provide_info: 'pending', approve: 'approved', reject: 'rejected' },
  approved: { suspend: 'suspended' },
  suspended: { reinstate: 'approved' },
  rejected: {},
};

export function partyOf(event: ChannelEventType): ChannelParty {
  return event === 'provide_info' ? 'merchant' : 'wallet';
}

/** The fields one transition sets; the store writes exactly these. */
export type ChannelChange = Partial<
  Pick<
    Channel,
    | 'businessDetails'
    | 'question'
    | 'reason'
    | 'approvedAt'
    | 'rejectedAt'
    | 'suspendedAt'
    | 'reinstatedAt'
    | 'infoRequestedAt'
    | 'infoProvidedAt'
  >
> & { status: ChannelStatus; updatedAt: string };

/**
 * Checks an event against the table and returns what it changes, with the
 * time stamp of that transition; undefined when the table does not allow it.
 */
export function transitionOf(
  channel: Pick<Channel, 'status' | 'businessDetails'>,
  event: ChannelEvent,
  at: string,
): ChannelChange | undefined {
  const to = channelTransitions[channel.status][event.type];
  if (!to) return undefined;
  const base = { status: to, updatedAt: at };
  switch (event.type) {
    case 'request_info':
      return { ...base, question: event.question, infoRequestedAt: at };
    case 'provide_info':
      return {
        ...base,
        businessDetails: mergeBusinessDetails(channel.businessDetails, event.businessDetails),
        infoProvidedAt: at,
      };
    case 'approve':
      return { ...base, reason: null, approvedAt: at };
    case 'reject':
      return { ...base, reason: event.reason, rejectedAt: at };
    case 'suspend':
      return { ...base, reason: event.reason, suspendedAt: at };
    case 'reinstate':
      return { ...base, reason: null, reinstatedAt: at };
    default: {
      const unknownEvent: never = event;
      throw new Error(`unknown channel event ${JSON.stringify(unknownEvent)}`);
    }
  }
}

/** An answer replaces the fields it names and keeps the others. */
export function mergeBusinessDetails(before: BusinessDetails, answer: BusinessDetails): BusinessDetails {
  const merged: BusinessDetails = { ...before };
  if (answer.website !== undefined) merged.website = answer.website;
  if (answer.expectedMonthlyVolume !== undefined) merged.expectedMonthlyVolume = answer.expectedMonthlyVolume;
  if (answer.note !== undefined) merged.note = answer.note;
  return merged;
}

/** Limits of what a merchant may write, in characters. */
export const websiteCharsMax = 2048;
export const noteCharsMax = 2000;
export const questionCharsMax = 2000;
export const reasonCharsMax = 500;
