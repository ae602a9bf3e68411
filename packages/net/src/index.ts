export {
  GuardedFetch,
  type GuardedFetchOptions,
  type GuardedRequestInit,
  type GuardedResponse,
} from './guarded-fetch.js';
export { GuardedFetchError, type GuardedFetchErrorCode } from './guarded-fetch-error.js';
export { isPublicAddress } from './public-address.js';
export { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER, verifyWebhook } from './webhook-signature.js';
