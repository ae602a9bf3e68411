import { RunAbort } from './run-abort.js';
import { runWithTimeLimit } from './run-with-time-limit.js';

/** Work that never ends and keeps the signal it read. */
const hangWatching = (seen: { signal?: AbortSignal }) => (run: RunAbort) => {
  seen.signal = run.signal;
  return new Promise<never>(() => {});
};

describe('runWithTimeLimit', () => {
  it('returns the result of work that finishes in time', async () => {
    await expect(
      runWithTimeLimit(async () => 42, { timeoutMs: 100, onTimeout: () => new Error('late') }),
    ).resolves.toBe(42);
  });

  it('rejects and aborts the signal when the limit passes, even if the work ignores it', async () => {
    const seen: { signal?: AbortSignal } = {};
    const started = Date.now();
    await expect(
      runWithTimeLimit(hangWatching(seen), { timeoutMs: 50, onTimeout: () => new Error('late') }),
    ).rejects.toThrow('late');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(seen.signal?.aborted).toBe(true);
  });

  it('rejects at once with the reason of a stop, and aborts the signal the work read', async () => {
    const abort = new RunAbort();
    const seen: { signal?: AbortSignal } = {};
    const result = runWithTimeLimit(hangWatching(seen), {
      timeoutMs: 5_000,
      abort,
      onTimeout: () => new Error('late'),
    });
    abort.abort(new Error('cancelled'));
    await expect(result).rejects.toThrow('cancelled');
    expect(seen.signal?.aborted).toBe(true);
    expect(seen.signal?.reason).toMatchObject({ message: 'cancelled' });
  });

  it('gives a signal read after a stop already aborted, with the first reason', () => {
    const abort = new RunAbort();
    abort.abort(new Error('first'));
    abort.abort(new Error('second'));
    expect(abort.signal.aborted).toBe(true);
    expect((abort.signal.reason as Error).message).toBe('first');
    expect(abort.stoppedBy?.reason).toMatchObject({ message: 'first' });
  });

  it('rejects with a stop that comes after the soft limit aborted the signal', async () => {
    const abort = new RunAbort();
    const seen: { signal?: AbortSignal } = {};
    const result = runWithTimeLimit(hangWatching(seen), {
      timeoutMs: 5_000,
      softTimeoutMs: 10,
      abort,
      onTimeout: () => new Error('hard'),
      onSoftTimeout: () => new Error('soft'),
    });
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(seen.signal?.reason).toMatchObject({ message: 'soft' });
    expect(abort.stoppedBy).toBeUndefined();
    abort.abort(new Error('cancelled'));
    await expect(result).rejects.toThrow('cancelled');
  });

  it('aborts the signal at the soft limit and lets the work finish', async () => {
    const result = await runWithTimeLimit(
      ({ signal }) =>
        new Promise<string>((resolve) =>
          signal.addEventListener('abort', () => resolve(`cleaned up: ${(signal.reason as Error).message}`)),
        ),
      {
        timeoutMs: 5_000,
        softTimeoutMs: 20,
        onTimeout: () => new Error('hard'),
        onSoftTimeout: () => new Error('soft'),
      },
    );
    expect(result).toBe('cleaned up: soft');
  });

  it('rejects with what the work throws synchronously, and never starts work once stopped', async () => {
    await expect(
      runWithTimeLimit(
        () => {
          throw new Error('sync');
        },
        { timeoutMs: 100, onTimeout: () => new Error('late') },
      ),
    ).rejects.toThrow('sync');
    const abort = new RunAbort();
    abort.abort(new Error('gone'));
    let started = false;
    await expect(
      runWithTimeLimit(
        async () => {
          started = true;
        },
        { timeoutMs: 100, abort, onTimeout: () => new Error('late') },
      ),
    ).rejects.toThrow('gone');
    expect(started).toBe(false);
  });

  it('times out each of several runs of one limit at its own time, whichever ended before it', async () => {
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const limit = { timeoutMs: 60, onTimeout: () => new Error('late') };
    const ended = runWithTimeLimit(() => sleep(30).then(() => 'ended'), limit);
    await sleep(20);
    const startedAt = performance.now();
    const hung = runWithTimeLimit(hangWatching({}), limit);
    const hungToo = runWithTimeLimit(hangWatching({}), limit);
    await expect(ended).resolves.toBe('ended');
    await expect(hung).rejects.toThrow('late');
    await expect(hungToo).rejects.toThrow('late');
    // Not when the first run's limit would have passed (40 ms from here), but at their own.
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(59);
  });

  it('times out a run that starts after every earlier run of its limit ended, at its own time', async () => {
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const limit = { timeoutMs: 80, onTimeout: () => new Error('late') };
    // Ends at once: the list empties, its timer is kept for the next run (due 80 ms from here).
    await expect(runWithTimeLimit(async () => 'quick', limit)).resolves.toBe('quick');
    await sleep(40);
    const startedAt = performance.now();
    await expect(runWithTimeLimit(hangWatching({}), limit)).rejects.toThrow('late');
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(79);
  });

  it('keeps nothing alive once its runs ended, and keeps the process alive while one runs', async () => {
    const limit = { timeoutMs: 7_777, onTimeout: () => new Error('late') };
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    let finish: (value: string) => void = () => {};
    const running = runWithTimeLimit(() => new Promise<string>((resolve) => (finish = resolve)), limit);
    expect(timers()).toBe(before + 1);
    finish('done');
    await expect(running).resolves.toBe('done');
    expect(timers()).toBe(before);
    const again = runWithTimeLimit(() => new Promise<string>((resolve) => (finish = resolve)), limit);
    expect(timers()).toBe(before + 1);
    finish('again');
    await expect(again).resolves.toBe('again');
    expect(timers()).toBe(before);
  });
});
