import type { Capability } from './capability.ts';
import { auditCapability } from './audit/manifest.ts';
import { bridgesCapability } from './bridges/manifest.ts';
import { channelsCapability } from './channels/manifest.ts';
import { checkoutCapability } from './checkout/manifest.ts';
import { disputesCapability } from './disputes/manifest.ts';
import { demoCapability } from './demo/manifest.ts';
import { feesCapability } from './fees/manifest.ts';
import { fspiopCapability } from './fspiop/manifest.ts';
import { httpCapability } from './http/manifest.ts';
import { hubCapability } from './hub/manifest.ts';
import { ledgerCapability } from './ledger/manifest.ts';
import { merchantsCapability } from './merchants/manifest.ts';
import { notifyCapability } from './notify/manifest.ts';
import { participantsCapability } from './participants/manifest.ts';
import { paymentsCapability } from './payments/manifest.ts';
import { placardsCapability } from './placards/manifest.ts';
import { posCapability } from './pos/manifest.ts';
import { qrCapability } from './qr/manifest.ts';
import { reconciliationCapability } from './reconciliation/manifest.ts';
import { refundsCapability } from './refunds/manifest.ts';
import { rolloutCapability } from './rollout/manifest.ts';
import { settlementCapability } from './settlement/manifest.ts';
import { statementsCapability } from './statements/manifest.ts';
import { tortureCapability } from './torture/manifest.ts';
import { transfersCapability } from './transfers/manifest.ts';
import { webCapability } from './web/manifest.ts';

/**
 * The map of the system: every capability, in the order a reader should
 * meet them (who takes part, what they agree, how money moves, what is paid,
 * and what is reported), then the tools that drive the hub from outside (the
 * demo, the crash test). Routes are registered and commands listed in this
 * order; `qr` comes before `placards`, whose command sits under `lintas qr`.
 */
export const capabilities: readonly Capability[] = [
  httpCapability,
  hubCapability,
  participantsCapability,
  merchantsCapability,
  channelsCapability,
  rolloutCapability,
  auditCapability,
  notifyCapability,
  ledgerCapability,
  feesCapability,
  settlementCapability,
  transfersCapability,
  checkoutCapability,
  paymentsCapability,
  qrCapability,
  placardsCapability,
  posCapability,
  fspiopCapability,
  bridgesCapability,
  refundsCapability,
  disputesCapability,
  statementsCapability,
  reconciliationCapability,
  webCapability,
  demoCapability,
  tortureCapability,
];
