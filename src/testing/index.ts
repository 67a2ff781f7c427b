export { startTestHub, type TestHub } from './hub.ts';
export { bearerClient, signedClient, createParticipant, freshKey, type ApiResponse, type TestParticipant } from './client.ts';
export { testEngine, createTestDatabase } from './database.ts';
