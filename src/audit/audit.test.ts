import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type TestHub, type TestParticipant, bearerClient, startTestHub } from '../testing/index.ts';
import { type TestMerchant, approveChannel, createCheckout, createMerchant, createWallet } from '../testing/world.ts';
import { type AuditEntry, auditPartiesOf } from './model.ts';

type Event = {
  id: string;
  actor: { type: string; id: string };
  action: string;
  objectType: string;
  objectId: string;
  before: any;
  after: any;
};

let hub: TestHub;
let operator: ReturnType<typeof bearerClient>;
let acquirer: TestParticipant;
let fresh: TestParticipant;
let other: TestParticipant;
let merchant: TestMerchant;
let rival: TestMerchant;

beforeAll(async () => {
  hub = await startTestHub();
  operator = bearerClient(hub, hub.operatorToken);
  acquirer = await createWallet(hub, 'Own Pay', { roles: ['issuer', 'acquirer'] });
  fresh = await createWallet(hub, 'Fresh Wallet');
  other = await createWallet(hub, 'Other Wallet');
  merchant = await createMerchant(hub, acquirer);
  rival = await createMerchant(hub, acquirer, { name: 'Toko Sebelah' });
  for (const shop of [merchant, rival]) {
    await approveChannel(shop, fresh);
    await approveChannel(shop, other);
  }
});
afterAll(async () => hub?.stop());

/** Every event the caller may read, page by page. */
async function readAll(
  call: (method: string, path: string) => Promise<{ status: number; body: any; text: string }>,
  query = '',
): Promise<Event[]> {
  const events: Event[] = [];
  for (let after = ''; ; ) {
    const page = await call('GET', `/v1/audit-events?limit=100${query}${after ? `&after=${after}` : ''}`);
    expect(page.status, page.text).toBe(200);
    events.push(...page.body.data);
    if (page.body.nextCursor === null) return events;
    after = page.body.nextCursor;
  }
}

describe('the audit trail of rollout rules', () => {
  test('each rule change with actor, before and after', async () => {
    const put = (rollout: unknown[]) => merchant.call('PUT', '/v1/checkout-settings', { rollout });
    expect((await put([{ walletId: fresh.id, enabled: true, percent: 10 }])).status).toBe(200);
    hub.clock.advanceMs(60_000);
    expect(
      (
        await put([
          { walletId: fresh.id, enabled: true, percent: 30 },
          { walletId: other.id, enabled: false, percent: 0 },
        ])
      ).status,
    ).toBe(200);
    hub.clock.advanceMs(60_000);
    expect((await put([{ walletId: other.id, enabled: true, percent: 5 }])).status).toBe(200);

    const events = await readAll(merchant.call);
    const ruleEvents = events.filter((event) => event.objectType === 'rollout_rule');
    const actor = { type: 'merchant', id: merchant.id };
    expect(ruleEvents.map((event) => [event.action, event.after?.walletId ?? event.before?.walletId])).toEqual([
      ['rollout_rule.created', fresh.id],
      ['rollout_rule.updated', fresh.id],
      ['rollout_rule.created', other.id],
      ['rollout_rule.deleted', fresh.id],
      ['rollout_rule.updated', other.id],
    ]);
    const [created, raised, , removed] = ruleEvents as [Event, Event, Event, Event];
    expect(created).toMatchObject({
      actor,
      before: null,
      after: { merchantId: merchant.id, walletId: fresh.id, enabled: true, percent: 10 },
    });
    expect(raised).toMatchObject({
      actor,
      objectId: created.objectId,
      before: { percent: 10 },
      after: { percent: 30, createdAt: created.after.createdAt },
    });
    expect(removed).toMatchObject({ actor, objectId: created.objectId, before: { percent: 30 }, after: null });

    const settings = events.filter((event) => event.action === 'checkout_settings.updated');
    expect(settings).toHaveLength(3);
    expect(settings[0]).toMatchObject({
      actor,
      objectId: merchant.id,
      before: null,
      after: { rollout: [{ walletId: fresh.id, percent: 10 }] },
    });
    expect(settings[2]).toMatchObject({
      before: {
        rollout: [
          { walletId: fresh.id, percent: 30 },
          { walletId: other.id, enabled: false },
        ],
      },
      after: { rollout: [{ walletId: other.id, enabled: true, percent: 5 }] },
    });
  });
});

describe('who reads which audit events', () => {
  test('a merchant reads the events about itself and its objects, and nothing of another merchant', async () => {
    await rival.call('PUT', '/v1/checkout-settings', { rollout: [{ walletId: fresh.id, enabled: true, percent: 1 }] });
    const checkout = await createCheckout(rival);
    expect((await rival.call('POST', `/v1/checkouts/${checkout.id}/cancel`)).status).toBe(200);

    const mine = await readAll(merchant.call);
    const actions = new Set(mine.map((event) => event.action));
    expect([...actions]).toEqual(
      expect.arrayContaining([
        'merchant.created',
        'channel.created',
        'channel.approve',
        'checkout_settings.updated',
        'rollout_rule.created',
      ]),
    );
    const aboutMe = (event: Event) =>
      [event.objectId, event.actor.id, event.before?.merchantId, event.after?.merchantId].includes(merchant.id);
    expect(mine.every(aboutMe)).toBe(true);

    const theirs = await readAll(rival.call);
    expect(theirs.map((event) => event.action)).toEqual(
      expect.arrayContaining(['checkout.cancel', 'rollout_rule.created']),
    );
    expect(theirs.some((event) => mine.some((seen) => seen.id === event.id))).toBe(false);
    expect(await readAll(merchant.call, `&objectId=${rival.id}`)).toEqual([]);
    expect(await readAll(merchant.call, `&objectId=${checkout.id}`)).toEqual([]);
    expect(await readAll(merchant.call, `&actor=${rival.id}`)).toEqual([]);
  });

  test(
    'a wallet reads its own participant events, its channels and the rules set for it, never a merchant’s whole ' +
      'settings',
    async () => {
      const events = await readAll(fresh.call);
      const actions = new Set(events.map((event) => event.action));
      expect([...actions]).toEqual(
        expect.arrayContaining([
          'participant.created',
          'participant.approve',
          'channel.created',
          'channel.approve',
          'rollout_rule.created',
        ]),
      );
      expect(actions.has('checkout_settings.updated')).toBe(false);
      expect(actions.has('checkout.cancel')).toBe(false);
      for (const event of events.filter(
        (seen) => seen.objectType === 'rollout_rule' || seen.objectType === 'channel',
      )) {
        expect(event.after?.walletId ?? event.before?.walletId).toBe(fresh.id);
      }
      expect(
        events.filter((event) => event.objectType === 'participant').every((event) => event.objectId === fresh.id),
      ).toBe(true);
      // The other wallet's rules and participant events are not the fresh wallet's.
      expect(await readAll(fresh.call, `&objectId=${other.id}`)).toEqual([]);
    },
  );

  test("an acquirer reads the creation of its merchants, not their checkouts' events", async () => {
    const events = await readAll(acquirer.call);
    expect(
      events
        .filter((event) => event.action === 'merchant.created')
        .map((event) => event.objectId)
        .sort(),
    ).toEqual([merchant.id, rival.id].sort());
    expect(events.some((event) => event.action === 'checkout.cancel')).toBe(false);
  });

  test('the operator reads everything; a buyer reads nothing', async () => {
    const all = await readAll(operator);
    const merchantOnes = await readAll(merchant.call);
    expect(merchantOnes.every((event) => all.some((seen) => seen.id === event.id))).toBe(true);
    expect(all.length).toBeGreaterThan(merchantOnes.length);
    const checkout = await createCheckout(merchant);
    expect(await bearerClient(hub, checkout.clientSecret)('GET', '/v1/audit-events')).toMatchObject({
      status: 403,
      body: { code: 'forbidden' },
    });
  });

  test('pages of a party’s events follow the trail’s order', async () => {
    const all = await readAll(merchant.call);
    const firstPage = await merchant.call('GET', '/v1/audit-events?limit=2');
    expect(firstPage.body.data.map((event: Event) => event.id)).toEqual(all.slice(0, 2).map((event) => event.id));
    const secondPage = await merchant.call('GET', `/v1/audit-events?limit=2&after=${firstPage.body.nextCursor}`);
    expect(secondPage.body.data.map((event: Event) => event.id)).toEqual(all.slice(2, 4).map((event) => event.id));
  });
});

describe('auditPartiesOf', () => {
  const base: AuditEntry = {
    actor: { type: 'operator', id: 'operator' },
    action: 'x',
    objectType: 'thing',
    objectId: 'thg_1',
    before: null,
    after: null,
  };
  test.each([
    {
      name: 'the operator acting on a participant',
      entry: { ...base, objectType: 'participant', objectId: 'par_a' },
      parties: ['par_a'],
    },
    {
      name: 'a merchant acting on its settings',
      entry: {
        ...base,
        actor: { type: 'merchant', id: 'mer_m' },
        objectType: 'checkout_settings',
        objectId: 'mer_m',
        after: { defaultWalletId: 'par_w', primaryWalletIds: ['par_v'] },
      },
      parties: ['mer_m'],
    },
    {
      name: 'a channel names its merchant and wallet',
      entry: {
        ...base,
        actor: { type: 'participant', id: 'par_w' },
        objectType: 'channel',
        objectId: 'cha_1',
        before: { merchantId: 'mer_m', walletId: 'par_w' },
      },
      parties: ['par_w', 'mer_m'],
    },
    {
      name: 'a rule names its merchant and wallet',
      entry: {
        ...base,
        actor: { type: 'merchant', id: 'mer_m' },
        objectType: 'rollout_rule',
        objectId: 'rol_1',
        after: { merchantId: 'mer_m', walletId: 'par_w' },
      },
      parties: ['mer_m', 'par_w'],
    },
    {
      name: 'a merchant is its acquirer’s too',
      entry: { ...base, objectType: 'merchant', objectId: 'mer_m', after: { acquirerId: 'par_a' } },
      parties: ['mer_m', 'par_a'],
    },
    {
      name: 'a checkout is not its acquirer’s',
      entry: {
        ...base,
        objectType: 'checkout',
        objectId: 'chk_1',
        after: { merchantId: 'mer_m', acquirerId: 'par_a' },
      },
      parties: ['mer_m'],
    },
    {
      name: 'a transfer names payer and payee',
      entry: {
        ...base,
        objectType: 'transfer',
        objectId: 'trf_1',
        after: { merchantId: 'mer_m', payerParticipantId: 'par_p', payeeParticipantId: 'par_a' },
      },
      parties: ['mer_m', 'par_p', 'par_a'],
    },
    {
      name: 'the system and buyers are nobody’s party; extra parties are added',
      entry: { ...base, actor: { type: 'buyer', id: 'chk_1' }, parties: ['mer_m', 'not-an-id'] },
      parties: ['mer_m'],
    },
  ])('$name', ({ entry, parties }) => {
    expect(auditPartiesOf(entry as AuditEntry)).toEqual(parties);
  });
});
