/** Participants: payment institutions connected to the hub. Pure rules, no I/O. */

export const participantRoles = ['issuer', 'acquirer'] as const;
export type ParticipantRole = (typeof participantRoles)[number];

export type ParticipantStatus = 'pending_review' | 'active' | 'rejected' | 'suspended';
export type ParticipantEvent = 'approve' | 'reject' | 'suspend' | 'reinstate';

/** The one table of allowed transitions, `{from, event} → to`. */
const participantTransitions: Record<ParticipantStatus, Partial<Record<ParticipantEvent, ParticipantStatus>>> = {
  pending_review: { approve: 'active', reject: 'rejected' },
  active: { suspend: 'suspended' },
  suspended: { reinstate: 'active' },
  rejected: {},
};

export function nextParticipantStatus(from: ParticipantStatus, event: ParticipantEvent): ParticipantStatus | undefined {
  return participantTransitions[from][event];
}

/** The stamp each transition sets. */
export function stampOf(event: ParticipantEvent): 'approved_at' | 'rejected_at' | 'suspended_at' | undefined {
  switch (event) {
    case 'approve':
      return 'approved_at';
    case 'reject':
      return 'rejected_at';
    case 'suspend':
      return 'suspended_at';
    case 'reinstate':
      return undefined;
    default: {
      const unknownEvent: never = event;
      throw new Error(`unknown participant event ${String(unknownEvent)}`);
    }
  }
}

export type KeyStatus = 'active' | 'revoked';

export type ParticipantKey = {
  kid: string;
  status: KeyStatus;
  jwk: Record<string, unknown>;
  createdAt: string;
  revokedAt: string | null;
};

export type WalletFlow = 'app_switch' | 'qr' | 'friend_pay' | 'payment_code';

/** The wallet APIs the hub can reach as a merchant (only `wechatpay_v3` is built). */
export const bridgeKinds = ['wechatpay_v3', 'alipay'] as const;
export type BridgeKind = (typeof bridgeKinds)[number];

/**
 * A wallet that does not call the hub, reached through its own merchant API
 * at `baseUrl`; its answers and notifications are signed with one of its
 * platform keys (public, RSA PEM), named by serial.
 */
export type ParticipantBridge = {
  kind: BridgeKind;
  baseUrl: string;
  platformKeys: { serial: string; publicKeyPem: string }[];
};

export type Participant = {
  id: string;
  name: string;
  roles: ParticipantRole[];
  currencies: string[];
  callbackUrl: string;
  appSwitchUrlTemplate: string | null;
  paymentCodePrefixes: string[];
  netDebitCaps: Record<string, number>;
  publicKeys: ParticipantKey[];
  /** Set for a bridged wallet; null for a participant that calls the hub itself. */
  bridge: ParticipantBridge | null;
  status: ParticipantStatus;
  statusReason: string | null;
  createdAt: string;
  updatedAt: string;
  approvedAt: string | null;
  rejectedAt: string | null;
  suspendedAt: string | null;
};

/** The token placeholder an app-switch template must carry. */
export const appSwitchTokenPlaceholder = '{token}';

export function flowsOf(
  participant: Pick<Participant, 'appSwitchUrlTemplate' | 'paymentCodePrefixes'> & {
    bridge?: ParticipantBridge | null;
  },
): WalletFlow[] {
  // A bridged wallet pays its own order, in its app (H5) or by its own QR: a friend's share page has neither.
  if (participant.bridge) return ['app_switch', 'qr'];
  const flows: WalletFlow[] = [];
  if (participant.appSwitchUrlTemplate) flows.push('app_switch');
  flows.push('qr', 'friend_pay');
  if (participant.paymentCodePrefixes.length > 0) flows.push('payment_code');
  return flows;
}

/** Two prefixes overlap when one begins the other: a code could then route to both. */
export function prefixesOverlap(left: string, right: string): boolean {
  return left.startsWith(right) || right.startsWith(left);
}

export function firstOverlap(candidates: readonly string[], taken: readonly string[]): [string, string] | undefined {
  for (const candidate of candidates) {
    for (const existing of taken) {
      if (prefixesOverlap(candidate, existing)) return [candidate, existing];
    }
  }
  return undefined;
}

export function overlapWithin(prefixes: readonly string[]): [string, string] | undefined {
  for (let index = 0; index < prefixes.length; index += 1) {
    const overlap = firstOverlap([prefixes[index] as string], prefixes.slice(index + 1));
    if (overlap) return overlap;
  }
  return undefined;
}

export function isIssuer(participant: Pick<Participant, 'roles'>): boolean {
  return participant.roles.includes('issuer');
}

export function isAcquirer(participant: Pick<Participant, 'roles'>): boolean {
  return participant.roles.includes('acquirer');
}
