export { WorkQueue } from './queue.js';
export { DelayingQueue } from './delaying-queue.js';
export { RateLimitingQueue } from './rate-limiting-queue.js';
export {
  BucketRateLimiter, ItemExponentialFailureRateLimiter, MaxOfRateLimiter, defaultControllerRateLimiter,
  type RateLimiter, type DefaultRateLimiterOptions,
} from './rate-limiters.js';
