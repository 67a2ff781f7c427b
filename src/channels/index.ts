export { findChannel, listChannelsOfMerchant, openOwnAcquirerChannel } from './service.ts';
export { type BusinessDetails, type Channel, type ChannelStatus, channelStatuses } from './model.ts';
