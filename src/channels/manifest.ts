import type { Capability } from '../capability.ts';
import { channelRoutes, channelsProblemCodes } from './routes.ts';

/** A merchant's applications to each wallet, and the wallet's review. */
export const channelsCapability: Capability = {
  name: 'channels',
  routes: channelRoutes,
  problemCodes: channelsProblemCodes,
  events: [
    'channel_application.approved',
    'channel_application.rejected',
    'channel_application.info_requested',
    'channel.suspended',
    'channel.reinstated',
  ],
};
