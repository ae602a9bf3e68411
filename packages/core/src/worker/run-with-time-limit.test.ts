import { runWithTimeLimit } from './run-with-time-limit.js';

describe('runWithTimeLimit', () => {
  it('returns the result of work that finishes in time', async () => {
    await expect(
      runWithTimeLimit(async () => 42, { timeoutMs: 100, onTimeout: () => new Error('late') }),
    ).resolves.toBe(42);
  });

  it('rejects and aborts the signal when the limit passes, even if the work ignores it', async () => {
    let seen: AbortSignal | undefined;
    const started = Date.now();
    await expect(
      runWithTimeLimit(
        (signal) => {
          seen = signal;
          return new Promise(() => {});
        },
        { timeoutMs: 50, onTimeout: () => new Error('late') },
      ),
    ).rejects.toThrow('late');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(seen?.aborted).toBe(true);
  });

  it('passes a parent abort on to the work', async () => {
    const parent = new AbortController();
    const result = runWithTimeLimit(
      (signal) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
      { timeoutMs: 5_000, signal: parent.signal, onTimeout: () => new Error('late') },
    );
    parent.abort();
    await expect(result).rejects.toThrow('aborted');
  });
});
