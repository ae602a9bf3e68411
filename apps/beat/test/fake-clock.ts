import { jest } from '@jest/globals';

// Only Date is faked: Redis, PostgreSQL and every timer run for real, while beat reads the clock.
const REAL = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
] as const;

/** Sets the wall clock that beat (and BullMQ) read; timers keep running in real time. */
export function fakeClock(now: number): { set(now: number): void; restore(): void } {
  jest.useFakeTimers({ doNotFake: [...REAL], now });
  return { set: (at) => jest.setSystemTime(at), restore: () => jest.useRealTimers() };
}
