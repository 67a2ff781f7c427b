export { startTestHub, type TestHub } from './hub.ts';
export {
  bearerClient,
  signedClient,
  createParticipant,
  freshKey,
  type ApiResponse,
  type HubAddress,
  type TestParticipant,
} from './client.ts';
export { testEngine, createTestDatabase } from './database.ts';
export {
  type Answer,
  type ReceivedRequest,
  type Receiver,
  type Reply,
  fetchHubKeys,
  scripted,
  signedReply,
  startReceiver,
  verifyCallback,
  verifyWebhook,
  webhookVerifies,
} from './receivers.ts';
export {
  referenceContentDigest,
  referenceSign,
  referenceSignResponse,
  referenceVerify,
} from './rfc9421-reference-signer.ts';
export { seedWindowPayments } from './bulk-transfers.ts';
export { failAnswerStorage } from './answer-storage.ts';
export { freePort, launchChromium, ledgerCheckOf, spawnLintas, type LintasProcess } from './processes.ts';
export { isDocsRoute, pageRoutes, servedRoutes } from './routes.ts';
export {
  axeViolations,
  englishLeft,
  ensurePagesBuilt,
  horizontalOverflow,
  screenshotFolder,
  watchPage,
} from './pages.ts';
