import type { Generated } from 'kysely';

/**
 * Rows of the notify capability: events (the outbox), who they are addressed
 * to, merchants' webhook endpoints and one delivery per event and receiver.
 * Times are ISO 8601 UTC text; JSON is text; flags are 0/1.
 */

export type EventRow = {
  /** Order within one engine: SQLite insert order; on PostgreSQL, order within one transaction. */
  seq: Generated<number>;
  id: string;
  /**
   * PostgreSQL: the writing transaction's id (`pg_current_xact_id()`), so readers page in a gapless order. SQLite: 0.
   */
  xid: number;
  type: string;
  data: string;
  merchant_id: string | null;
  created_at: string;
};

/** One row per participant an event is addressed to; xid and seq copied so the feed reads one index. */
export type EventParticipantRow = {
  participant_id: string;
  xid: number;
  seq: number;
  event_id: string;
};

export type WebhookEndpointRow = {
  id: string;
  merchant_id: string;
  url: string;
  events: string;
  enabled: number;
  sealed_secret: string;
  sealed_previous_secret: string | null;
  previous_secret_expires_at: string | null;
  created_at: string;
  updated_at: string;
  disabled_at: string | null;
  disabled_reason: string | null;
  secret_rotated_at: string | null;
  deleted_at: string | null;
};

export type EventDeliveryRow = {
  id: string;
  event_id: string;
  event_type: string;
  kind: string;
  merchant_id: string | null;
  endpoint_id: string | null;
  participant_id: string | null;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  give_up_at: string;
  locked_until: string | null;
  lock_token: string | null;
  last_attempt_at: string | null;
  last_response_status: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
  failed_at: string | null;
};

export type NotifyTables = {
  events: EventRow;
  event_participants: EventParticipantRow;
  webhook_endpoints: WebhookEndpointRow;
  event_deliveries: EventDeliveryRow;
};
