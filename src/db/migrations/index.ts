import type { Migration } from 'kysely';
import * as core from './0001_core.ts';
import * as channels from './0002_channels.ts';
import * as ledger from './0003_ledger.ts';
import * as notify from './0004_notify.ts';
import * as checkout from './0005_checkout.ts';
import * as rollout from './0006_rollout.ts';
import * as refunds from './0007_refunds.ts';
import * as settlement from './0008_settlement.ts';
import * as placards from './0009_placards.ts';
import * as pos from './0010_pos.ts';
import * as reconciliation from './0011_reconciliation.ts';
import * as idempotencyEffects from './0012_idempotency_effects.ts';
import * as payments from './0013_payments.ts';
import * as rateLimits from './0014_rate_limits.ts';
import * as merchantNames from './0015_merchant_names.ts';
import * as disputes from './0017_disputes.ts';
import * as liabilityRules from './0018_liability_rules.ts';
import * as disputeEvidence from './0019_dispute_evidence.ts';
import * as fspiop from './0020_fspiop.ts';
import * as fspiopJws from './0021_fspiop_jws.ts';
import * as fspiopOutbound from './0022_fspiop_outbound.ts';
import * as fspiopHubKey from './0023_fspiop_hub_key.ts';
import * as bridges from './0025_bridges.ts';
import * as shareNotes from './0030_share_notes.ts';

/** Every migration, in order. Names sort in the order they must run. */
export const migrations: Record<string, Migration> = {
  '0001_core': core,
  '0002_channels': channels,
  '0003_ledger': ledger,
  '0004_notify': notify,
  '0005_checkout': checkout,
  '0006_rollout': rollout,
  '0007_refunds': refunds,
  '0008_settlement': settlement,
  '0009_placards': placards,
  '0010_pos': pos,
  '0011_reconciliation': reconciliation,
  '0012_idempotency_effects': idempotencyEffects,
  '0013_payments': payments,
  '0014_rate_limits': rateLimits,
  '0015_merchant_names': merchantNames,
  '0017_disputes': disputes,
  '0018_liability_rules': liabilityRules,
  '0019_dispute_evidence': disputeEvidence,
  '0020_fspiop': fspiop,
  '0021_fspiop_jws': fspiopJws,
  '0022_fspiop_outbound': fspiopOutbound,
  '0023_fspiop_hub_key': fspiopHubKey,
  '0025_bridges': bridges,
  '0030_share_notes': shareNotes,
};
