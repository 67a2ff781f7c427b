import type { FastifySwaggerUiOptions } from '@fastify/swagger-ui';
import { docsContentSecurityPolicy } from '../http/index.ts';

export const referencePageOptions: FastifySwaggerUiOptions = {
  routePrefix: '/docs',
  staticCSP: docsContentSecurityPolicy,
  uiConfig: { persistAuthorization: false, tryItOutEnabled: false, displayRequestDuration: true, validatorUrl: null },
};
