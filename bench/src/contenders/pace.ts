import { setTimeout as sleep } from 'node:timers/promises';
import { clock } from '../workers/progress-channel.js';

/**
 * Calls `submitOne` at a fixed rate for `seconds`, never waiting for one call before the next is
 * due (an open-loop load, so a slow answer does not lower the offered rate). Returns the count.
 */
export async function submitPaced(
  ratePerSecond: number,
  seconds: number,
  submitOne: (submittedAt: number) => Promise<unknown>,
): Promise<number> {
  const total = Math.max(1, Math.round(ratePerSecond * seconds));
  const began = clock();
  const calls: Array<Promise<unknown>> = [];
  let failure: unknown;
  while (calls.length < total && failure === undefined) {
    const due = Math.min(total, Math.floor(((clock() - began) / 1000) * ratePerSecond) + 1);
    while (calls.length < due) {
      calls.push(
        submitOne(clock()).catch((error: unknown) => {
          failure ??= error;
        }),
      );
    }
    const nextAt = began + (calls.length / ratePerSecond) * 1000;
    await sleep(Math.max(1, nextAt - clock()));
  }
  await Promise.all(calls);
  if (failure !== undefined) throw failure;
  return total;
}
