import { Type } from 'typebox';
import type { HubContext } from '../context.ts';
import {
  type App,
  valueOrThrow,
  callerOf,
  pageOf,
  toPage,
  CurrencyCode,
  IdParams,
  ListOf,
  ListQuery,
  NullableTimestamp,
  problemResponses,
  FeeMinorUnits,
} from '../http/index.ts';
import { bpsMax } from './model.ts';
import * as service from './service.ts';

const RuleBody = Type.Object(
  {
    bps: Type.Integer({
      minimum: 0,
      maximum: bpsMax,
      description: 'basis points of the amount (1 bps = 0.01 %), rounded half to even in minor units',
    }),
    fixedAmount: Type.Optional({
      ...FeeMinorUnits,
      description: 'added to the percentage, in minor units; default 0',
    }),
    minAmount: Type.Optional({
      ...FeeMinorUnits,
      description: 'the least the fee is, in minor units; default 0',
    }),
  },
  { additionalProperties: false },
);
const Rule = Type.Object({ bps: Type.Integer(), fixedAmount: Type.Integer(), minAmount: Type.Integer() });

const ScheduleBody = Type.Object(
  {
    interchange: RuleBody,
    issuerSwitchFee: RuleBody,
    acquirerSwitchFee: RuleBody,
    merchantDiscount: RuleBody,
    arbitrationFee: Type.Optional({
      ...RuleBody,
      description: 'charged on the disputed amount to the side that loses a dispute the operator rules; default 0',
    }),
  },
  { additionalProperties: false },
);
const ScheduleSchema = Type.Object(
  {
    currency: Type.String(),
    interchange: Rule,
    issuerSwitchFee: Rule,
    acquirerSwitchFee: Rule,
    merchantDiscount: Rule,
    arbitrationFee: Rule,
    updatedAt: NullableTimestamp,
  },
  {
    description:
      'Each fee is max(minAmount, round_half_even(amount × bps / 10000) + fixedAmount), at most the amount. ' +
      'Interchange is paid by the acquirer to the issuer ' +
      '(none on-us); the switch fees are paid to the hub; the merchant discount is charged by the acquirer to its ' +
      'merchant outside the hub and never posted.',
  },
);
const CurrencyParams = Type.Object({ currency: CurrencyCode });

const MerchantFeesBody = Type.Object(
  { merchantDiscount: Type.Union([RuleBody, Type.Null()]) },
  { additionalProperties: false },
);
const MerchantFeesSchema = Type.Object({
  merchantId: Type.String(),
  currency: Type.String(),
  merchantDiscount: Type.Union([Rule, Type.Null()], {
    description: "null: the currency schedule's merchant discount applies",
  }),
  updatedAt: NullableTimestamp,
});

const tags = ['fees'];

export function feeRoutes(app: App, ctx: HubContext): void {
  app.put('/v1/fee-schedules/:currency', {
    config: { auth: ['operator'] },
    schema: {
      tags,
      summary: "Set a currency's fee schedule, all four fees at once (audited)",
      params: CurrencyParams,
      body: ScheduleBody,
      response: { 200: ScheduleSchema, ...problemResponses },
    },
    handler: async (request) =>
      valueOrThrow(await service.setSchedule(ctx, callerOf(request), request.params.currency, request.body)),
  });

  app.get('/v1/fee-schedules/:currency', {
    config: { auth: ['operator', 'participant'] },
    schema: {
      tags,
      summary: "A currency's fee schedule (all zero when never set)",
      params: CurrencyParams,
      response: { 200: ScheduleSchema, ...problemResponses },
    },
    handler: async (request) => service.scheduleOf(ctx.db.kysely, request.params.currency),
  });

  app.get('/v1/fee-schedules', {
    config: { auth: ['operator', 'participant'] },
    schema: {
      tags,
      summary: 'Every fee schedule the operator set, by currency',
      querystring: ListQuery,
      response: { 200: ListOf(ScheduleSchema), ...problemResponses },
    },
    handler: async (request) => {
      const page = pageOf(request.query);
      const currencies = await service.listScheduleCurrencies(ctx.db.kysely, page);
      const schedules = await Promise.all(currencies.map((currency) => service.scheduleOf(ctx.db.kysely, currency)));
      return toPage(schedules, page, (schedule) => schedule.currency);
    },
  });

  app.put('/v1/merchants/:id/fees', {
    config: { auth: ['participant'] },
    schema: {
      tags,
      summary:
        "The acquirer's own merchant discount for one of its merchants (audited); null returns to the schedule's",
      params: IdParams,
      body: MerchantFeesBody,
      response: { 200: MerchantFeesSchema, ...problemResponses },
    },
    handler: async (request) =>
      valueOrThrow(await service.setMerchantFees(ctx, callerOf(request), request.params.id, request.body)),
  });

  app.get('/v1/merchants/:id/fees', {
    config: { auth: ['operator', 'participant'] },
    schema: {
      tags,
      summary: "A merchant's own merchant discount, for its acquirer",
      params: IdParams,
      response: { 200: MerchantFeesSchema, ...problemResponses },
    },
    handler: async (request) =>
      valueOrThrow(await service.merchantFeesOf(ctx.db.kysely, callerOf(request), request.params.id)),
  });
}
