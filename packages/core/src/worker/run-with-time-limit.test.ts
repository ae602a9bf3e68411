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

  it('rejects at once with the parent reason when the parent aborts', async () => {
    const parent = new AbortController();
    let seen: AbortSignal | undefined;
    const result = runWithTimeLimit(
      (signal) => {
        seen = signal;
        return new Promise(() => {});
      },
      { timeoutMs: 5_000, signal: parent.signal, onTimeout: () => new Error('late') },
    );
    parent.abort(new Error('cancelled'));
    await expect(result).rejects.toThrow('cancelled');
    expect(seen?.aborted).toBe(true);
  });

  it('aborts the signal at the soft limit and lets the work finish', async () => {
    const result = await runWithTimeLimit(
      (signal) =>
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

  it('rejects with what the work throws synchronously, and never starts work under an aborted parent', async () => {
    await expect(
      runWithTimeLimit(
        () => {
          throw new Error('sync');
        },
        { timeoutMs: 100, onTimeout: () => new Error('late') },
      ),
    ).rejects.toThrow('sync');
    const parent = new AbortController();
    parent.abort(new Error('gone'));
    let started = false;
    await expect(
      runWithTimeLimit(
        async () => {
          started = true;
        },
        { timeoutMs: 100, signal: parent.signal, onTimeout: () => new Error('late') },
      ),
    ).rejects.toThrow('gone');
    expect(started).toBe(false);
  });
});
