export { merchantCallerOf, findMerchant } from './service.ts';
export { type Merchant, type MerchantStatus, merchantNameCharsMax, merchantCityCharsMax } from './model.ts';
