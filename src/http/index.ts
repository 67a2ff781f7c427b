export { type App, problemOf, valueOrThrow } from './app-types.ts';
export { callerOf, createAuthHook, type SignatureResolver } from './auth.ts';
export { actorOf, type Caller, type CallerType, operatorCaller } from './caller.ts';
export { answerClientError, handleError, handleFrameworkError, sendProblem, toProblem } from './error-handler.ts';
export {
  type IdempotentEffect,
  type IdempotentReplay,
  createIdempotency,
  findIdempotentEffect,
  idempotencyLockMs,
  idempotencyWaitMs,
  outsideIdempotentEffect,
  recordIdempotentEffect,
  replayAs,
  replayShowingOnce,
} from './idempotency.ts';
export { generateEd25519KeyPair, parseEd25519PublicJwk, publicKeyToJwk } from './jwk.ts';
export { gracefulCloser } from './graceful-close.ts';
export { redactedUrlForLog } from './log-redaction.ts';
export { createHttpMetrics, registerCapabilityMetrics } from './metrics.ts';
export { purgeExpiredNonces, useNonce } from './nonce-store.ts';
export {
  type RateLimitSettings,
  createWindowCounter,
  databaseSharedCounts,
  rateLimitDefaults,
  rateLimitPerMinuteMax,
  rateLimitWindowMs,
  registerRateLimit,
} from './rate-limit.ts';
export { pageOf, toPage } from './pagination.ts';
export {
  type FieldError,
  invalidRequest,
  notFound,
  Problem,
  problemEntryOf,
  registeredProblemCodes,
  registerProblemCodes,
} from './problems.ts';
export {
  CountryCode,
  CurrencyCode,
  IdParams,
  ListOf,
  ListQuery,
  MinorUnits,
  NullableTimestamp,
  pageItemsDefault,
  pageItemsMax,
  PositiveMinorUnits,
  amountBoundTo,
  FeeMinorUnits,
  LimitMinorUnits,
  problemResponses,
  ProblemSchema,
  Timestamp,
  TextLine,
} from './schemas.ts';
export { docsContentSecurityPolicy, noStoreForSecretAnswers, securityHeaderOptions } from './security-headers.ts';
export { type SignatureKeyRecord, verifySignedRequest } from './signatures.ts';
export { verifySignedResponse } from './response-signatures.ts';
export { signRequest, signResponse } from './sign-request.ts';
export {
  createFetchHttpPort,
  createSignedHttpClient,
  type HttpPort,
  type HttpRequest,
  HttpTransportError,
  requestTimeoutMsMax,
  type SignedHttpClient,
} from './signed-client.ts';
export { type UrlPolicy, checkOutboundUrl, lookupTimeoutMs } from './url-policy.ts';
export { OutboundAddressRefused, addressRefusal, createOutboundDispatcher } from './outbound-dispatcher.ts';
export { createValidatorCompiler } from './validation.ts';
export { buildSharedSerializers } from './serializers.ts';
import './fastify-types.ts';
export { purgeExpiredRecords } from './housekeeping.ts';
