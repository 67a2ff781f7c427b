import { Webhook } from 'standardwebhooks';
import { type Random, Secret, invariant } from '../platform/index.ts';

/** Standard Webhooks secrets: `whsec_` and 24 to 64 random bytes in base64. */
export const webhookSecretPrefix = 'whsec_';
const webhookSecretBytes = 32;

export function newWebhookSecret(random: Random): Secret {
  return new Secret(`${webhookSecretPrefix}${random.bytes(webhookSecretBytes).toString('base64')}`);
}

/**
 * The Standard Webhooks headers for one attempt. `webhook-id` is the event
 * id, the same on every retry, so a receiver can drop repeats. Each secret
 * that signs now adds one `v1,<signature>`, space-separated, so a receiver
 * holding either the old or the new secret verifies during a rotation.
 */
export function webhookHeaders(input: {
  eventId: string;
  at: Date;
  payload: string;
  secrets: readonly Secret[];
}): Record<string, string> {
  invariant(input.secrets.length > 0, 'a webhook is signed with at least one secret');
  const signatures = input.secrets.map((secret) =>
    new Webhook(secret.reveal()).sign(input.eventId, input.at, input.payload),
  );
  return {
    'webhook-id': input.eventId,
    'webhook-timestamp': String(Math.floor(input.at.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}
