/**
 * The batch scenario: a wallet pays `items` transfers a request through `POST /v1/transfers/batch`, signed
 * once. Tokens are resolved beforehand from the merchant's static placard (one request each, not measured);
 * what is measured is the batches alone: transfers committed per second and the hub's CPU per transfer.
 */
import type { Send } from './client.ts';
import type { World } from './world.ts';

export type BatchPoint = {
  label: string;
  itemsPerBatch: number;
  batches: number;
  committed: number;
  refused: number;
  transfersPerSecond: number;
  cpuMsPerTransfer: number;
};

const resolveConcurrency = 32;
const batchAmount = 1_000;

async function placardTokens(send: Send, world: World, count: number): Promise<string[]> {
  const [wallet, merchant] = [world.wallets[0], world.merchants[0]];
  if (!wallet || !merchant) throw new Error('the bench world has no wallet or merchant');
  const placard = await send(merchant.caller, 'GET', `/v1/merchants/${merchant.id}/placard`);
  if (placard.status !== 200) throw new Error(`placard answered ${placard.status}: ${JSON.stringify(placard.body)}`);
  const tokens: string[] = [];
  const resolver = async () => {
    while (tokens.length < count) {
      const resolved = await send(wallet.caller, 'POST', '/v1/payment-requests/resolve', {
        qrPayload: placard.body.payload,
      });
      if (resolved.status !== 200) throw new Error(`resolve answered ${resolved.status}`);
      tokens.push(resolved.body.paymentToken);
    }
  };
  await Promise.all(Array.from({ length: resolveConcurrency }, resolver));
  return tokens.slice(0, count);
}

export async function benchBatch(
  send: Send,
  world: World,
  hubCpuMs: () => number,
  options: { label: string; itemsPerBatch: number; batches: number },
): Promise<BatchPoint> {
  const wallet = world.wallets[0];
  if (!wallet) throw new Error('the bench world has no wallet');
  const tokens = await placardTokens(send, world, options.itemsPerBatch * options.batches);
  let committed = 0;
  let refused = 0;
  const cpuBefore = hubCpuMs();
  const started = performance.now();
  for (let batch = 0; batch < options.batches; batch += 1) {
    const slice = tokens.slice(batch * options.itemsPerBatch, (batch + 1) * options.itemsPerBatch);
    const items = slice.map((paymentToken, index) => ({
      paymentToken,
      amount: batchAmount,
      currency: 'CNY',
      payer: { ref: `batch-${process.pid}-${batch}-${index}` },
    }));
    const sent = await send(wallet.caller, 'POST', '/v1/transfers/batch', { items });
    if (sent.status !== 200) throw new Error(`a batch answered ${sent.status}: ${JSON.stringify(sent.body)}`);
    committed += sent.body.committed;
    refused += sent.body.refused;
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuMs = hubCpuMs() - cpuBefore;
  return {
    label: options.label,
    itemsPerBatch: options.itemsPerBatch,
    batches: options.batches,
    committed,
    refused,
    transfersPerSecond: Math.round((committed / seconds) * 10) / 10,
    cpuMsPerTransfer: Math.round((cpuMs / Math.max(committed, 1)) * 1000) / 1000,
  };
}
