export {
  approveBridgedChannel,
  findChannel,
  findVisibleChannel,
  listChannelsOfMerchant,
  openOwnAcquirerChannel,
} from './service.ts';
export { type BusinessDetails, type Channel, type ChannelStatus, type ChannelView, channelStatuses } from './model.ts';
